package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
)

// TestTokenFileCollisions runs the binary with a --token-file that is also
// another file of the sync: the input (whose rows would be the token, sent,
// dead-lettered or quoted in an error), or an output (which would write over
// the token, or write it elsewhere). Each must end with status 2 before
// anything is read as records, written or sent, and the token must appear
// nowhere in what the run prints (runHubsync fails the test if it does).
func TestTokenFileCollisions(t *testing.T) {
	tests := []struct {
		name string
		// flags returns the flags and the input, given the folder that
		// holds calls.csv and the token file tok.
		flags   func(dir, tok string) []string
		wantErr string
	}{
		{"input is the token file, JSON Lines", func(dir, tok string) []string {
			return []string{"--token-file", tok, "--format", "jsonl", "--no-preflight", tok}
		}, "--token-file"},
		{"input is the token file, CSV", func(dir, tok string) []string {
			return []string{"--token-file", tok, "--format", "csv", tok}
		}, "--token-file"},
		{"report is the token file", func(dir, tok string) []string {
			return []string{"--token-file", tok, "--report", tok, filepath.Join(dir, "calls.csv")}
		}, "pass --report a path of its own"},
		{"dead-letter file is the token file", func(dir, tok string) []string {
			return []string{"--token-file", tok, "--dead-letter", tok, filepath.Join(dir, "calls.csv")}
		}, "pass --dead-letter a path of its own"},
		{"token file is the default checkpoint", func(dir, tok string) []string {
			return []string{"--token-file", filepath.Join(dir, "calls.csv.checkpoint.json"), filepath.Join(dir, "calls.csv")}
		}, "pass --token-file a path of its own"},
		{"token file is the job's lock file", func(dir, tok string) []string {
			return []string{"--token-file", filepath.Join(dir, "calls.csv.checkpoint.json.lock"), filepath.Join(dir, "calls.csv")}
		}, "pass --token-file a path of its own"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Config{SeedIDs: 100})
			dir := t.TempDir()
			generate(t, dir, "calls.csv", genOptions{rows: 10, seedIDs: 100, distinct: 10, seed: 2})
			flags := tt.flags(dir, filepath.Join(dir, "tok"))
			putFile(t, flags[1], testToken+"\n") // flags[1] follows --token-file
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--rate", "0"}, flags...)
			before := dirSnapshot(t, dir)
			res := runHubsyncWithin(t, 30*time.Second, args...)
			if res.code != exitUsage {
				t.Fatalf("exit status %d, want %d\n%s", res.code, exitUsage, tail(res.stderr))
			}
			if strings.Contains(res.stdout+res.stderr, testToken) {
				t.Errorf("the token appears in the output:\n%s", tail(res.stderr))
			}
			if !strings.Contains(res.stderr, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, tail(res.stderr))
			}
			if diff := cmp.Diff(before, dirSnapshot(t, dir)); diff != "" {
				t.Errorf("the folder changed (-before +after):\n%s", diff)
			}
			if n := srv.Stats().Requests; n != 0 {
				t.Errorf("%d requests reached the emulator, want none", n)
			}
		})
	}
}
