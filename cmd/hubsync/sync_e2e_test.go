package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
)

// TestSyncEndToEnd runs the binary on CSV and JSONL files with repeated ids,
// ids that do not exist, malformed rows and rows without an id, and checks
// the emulator's final state and the dead-letter file exactly.
func TestSyncEndToEnd(t *testing.T) {
	tests := []struct {
		name, file string
		args       []string
	}{
		{"csv", "calls.csv", nil},
		{"jsonl", "calls.jsonl", nil},
		{"csv small batches one worker", "calls.csv", []string{"--batch-size", "7", "--workers", "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Config{SeedIDs: 5000, Seed: 3})
			ds := generate(t, t.TempDir(), tt.file, genOptions{rows: 10000, seedIDs: 5000, distinct: 4000, badEvery: 97, seed: 1, multiline: true})
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--log-format", "json"}, tt.args...)
			res := runHubsync(t, append(args, ds.path)...)
			if res.code != exitDeadLetters {
				t.Fatalf("exit status %d, want %d (some records dead-lettered)\nstderr:\n%s", res.code, exitDeadLetters, tail(res.stderr))
			}
			checkState(t, srv, ds)
			dlPath := strings.TrimSuffix(ds.path, ".csv")
			dlPath = strings.TrimSuffix(dlPath, ".jsonl") + ".dead-letter" + ds.path[strings.LastIndex(ds.path, "."):]
			if diff := cmp.Diff(ds.dead, readDeadLetters(t, dlPath)); diff != "" {
				t.Errorf("dead letters, line → code (-want +got):\n%s", diff)
			}
			if !strings.Contains(res.stderr, `"sync finished"`) {
				t.Errorf("no summary line in the log:\n%s", tail(res.stderr))
			}
		})
	}
}

// tail returns the last lines of a long output for a failure message.
func tail(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}
