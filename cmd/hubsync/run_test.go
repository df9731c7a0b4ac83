package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint"
)

// TestSyncRunCloseReleasesAll: whether openSync fails half-way or the run
// opens whole, Close releases every lock it took, and may be called again.
func TestSyncRunCloseReleasesAll(t *testing.T) {
	tests := []struct {
		name    string
		holdDL  bool // another run holds the dead-letter file's lock
		wantErr bool
	}{
		{"opened", false, false},
		{"failed after the job's lock", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "calls.csv")
			if err := os.WriteFile(file, []byte("id,hs_communication_body\n1,hi\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cpLock, dlLock := file+".checkpoint.json.lock", filepath.Join(dir, "calls.dead-letter.csv.lock")
			if tt.holdDL {
				l, err := checkpoint.Lock(dlLock)
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
			}
			o := defaultSyncOptions()
			o.Object, o.NoPreflight = "communications", true
			req := syncRequest{o: o, file: file, log: zap.NewNop(),
				env: env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "pat-test" }, interrupt: make(chan struct{})}}
			r, err := openSync(context.Background(), req)
			if (err != nil) != tt.wantErr {
				t.Fatalf("openSync: %v, want an error: %v", err, tt.wantErr)
			}
			if _, err := checkpoint.Lock(cpLock); err == nil {
				t.Fatal("the job's lock is free while the run is open")
			}
			if err := r.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := r.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			for _, path := range []string{cpLock, dlLock} {
				if tt.holdDL && path == dlLock {
					continue
				}
				l, err := checkpoint.Lock(path)
				if err != nil {
					t.Errorf("lock %s after Close: %v", filepath.Base(path), err)
					continue
				}
				l.Close()
			}
			if _, err := r.f.Stat(); !errors.Is(err, os.ErrClosed) {
				t.Errorf("the input is still open after Close: %v", err)
			}
		})
	}
}
