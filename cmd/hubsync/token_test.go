package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestReadToken(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	const secret = "pat-na1-0123456789abcdef"
	tests := []struct {
		name, file, env string
		want            string
		wantErr         string // in the error; "" for none
		wantWarn        bool
	}{
		{name: "environment", env: " pat-abc \n", want: "pat-abc"},
		{name: "none", wantErr: "HUBSPOT_ACCESS_TOKEN"},
		{name: "file wins", file: file("token", "pat-from-file\n", 0o600), env: "pat-env", want: "pat-from-file"},
		{name: "empty file", file: file("empty", " \n", 0o600), wantErr: "is empty"},
		{name: "at the limit", file: file("limit", strings.Repeat("x", maxTokenFileBytes), 0o600), want: strings.Repeat("x", maxTokenFileBytes)},
		{name: "too long", file: file("long", secret+strings.Repeat("\n", maxTokenFileBytes), 0o600), wantErr: "over 4096 bytes"},
		{name: "device", file: "/dev/zero", wantErr: "not a regular file (a character device)"},
		{name: "fifo", file: fifo, wantErr: "not a regular file (a FIFO)"},
		{name: "directory", file: dir, wantErr: "not a regular file (a directory)"},
		{name: "missing", file: filepath.Join(dir, "nope"), wantErr: "no such file"},
		{name: "group readable", file: file("open", secret+"\n", 0o640), want: secret, wantWarn: true},
		{name: "world readable", file: file("world", secret+"\n", 0o604), want: secret, wantWarn: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := observer.New(zap.WarnLevel)
			got, err := readToken(tt.file, func(string) string { return tt.env }, zap.New(core))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), secret):
				t.Fatalf("the error quotes the file: %v", err)
			}
			if got != tt.want {
				t.Errorf("token %q, want %q", got, tt.want)
			}
			if warned := logs.Len() > 0; warned != tt.wantWarn {
				t.Errorf("warned %v, want %v: %v", warned, tt.wantWarn, logs.All())
			}
			for _, e := range logs.All() {
				if !strings.Contains(e.Message, "chmod 600") || e.ContextMap()["mode"] == nil {
					t.Errorf("warning %q %v", e.Message, e.ContextMap())
				}
			}
		})
	}
}
