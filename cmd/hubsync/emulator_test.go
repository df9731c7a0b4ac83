package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a bytes.Buffer safe for the logger's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRunEmulatorServes(t *testing.T) {
	t.Setenv("HUBSPOT_ACCESS_TOKEN", "")
	const token = "pat-secret-emulator-token"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- runEmulator(ctx, []string{"--addr", "127.0.0.1:0", "--token", token, "--rate", "5/1s", "--seed-ids", "10"}, pw, &stderr)
		pw.Close()
	}()
	br := bufio.NewReader(pr)
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("read first line: %v (stderr %s)", err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, br) }()
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q", line)
	}

	req, _ := http.NewRequest(http.MethodPost, url+"/crm/v3/objects/communications/batch/update",
		strings.NewReader(`{"inputs":[{"id":"1","properties":{"hs_communication_body":"hi"}}]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-HubSpot-RateLimit-Max") != "5" {
		t.Errorf("status %d, Max %q", resp.StatusCode, resp.Header.Get("X-HubSpot-RateLimit-Max"))
	}

	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit code %d, stderr %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), token) || strings.Contains(line, token) {
		t.Error("the token was printed")
	}
}

func TestRunEmulatorUsage(t *testing.T) {
	tests := []struct {
		name   string
		env    string
		args   []string
		code   int
		stderr string
		stdout string
	}{
		{"help", "", []string{"--help"}, 0, "", "Usage: hubsync emulator"},
		{"unknown flag", "tok", []string{"--bogus"}, 2, "unknown flag: --bogus", ""},
		{"no token", "", nil, 2, "no token", ""},
		{"bad rate", "tok", []string{"--rate", "10"}, 2, "want N/DURATION", ""},
		{"bad order", "tok", []string{"--result-order", "random"}, 2, "--result-order", ""},
		{"faults over one", "tok", []string{"--fault-500", "0.7", "--fault-drop", "0.7"}, 2, "sum to", ""},
		{"missing schema", "tok", []string{"--schema", "/nonexistent/schema.json"}, 2, "open schema", ""},
		{"bad unique format", "tok", []string{"--unique-format", "EXT"}, 2, "integer verb", ""},
		{"positional argument", "tok", []string{"extra"}, 2, "unexpected arguments", ""},
		{"cannot listen", "tok", []string{"--addr", "127.0.0.1:99999"}, 1, "start emulator", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HUBSPOT_ACCESS_TOKEN", tc.env)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var stdout, stderr lockedBuffer
			code := runEmulator(ctx, tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("code %d, want %d; stderr %s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.stderr) || !strings.Contains(stdout.String(), tc.stdout) {
				t.Errorf("stdout %q\nstderr %q", stdout.String(), stderr.String())
			}
		})
	}
}
