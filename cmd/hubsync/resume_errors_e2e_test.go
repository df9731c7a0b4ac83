package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/emulator"
)

// TestResumeRefusals checks the cases where a rerun must not start: a
// damaged checkpoint and a changed input. Nothing may be sent.
func TestResumeRefusals(t *testing.T) {
	tests := []struct {
		name    string
		spoil   func(t *testing.T, input, cp string)
		wantErr string
	}{
		{"truncated checkpoint", func(t *testing.T, _, cp string) {
			b, _ := os.ReadFile(cp)
			os.WriteFile(cp, b[:len(b)/2], 0o600)
		}, "is damaged"},
		{"garbage checkpoint", func(t *testing.T, _, cp string) {
			os.WriteFile(cp, []byte("\x00\x01not json"), 0o600)
		}, "is damaged"},
		{"input appended to", func(t *testing.T, input, _ string) {
			f, _ := os.OpenFile(input, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("1,late row,SMS,1,true,BILLING\n")
			f.Close()
		}, "the input has changed"},
		{"other object type", nil, "setting object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Config{SeedIDs: 2000})
			ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 1000, seedIDs: 2000, distinct: 900, seed: 3})
			cp := ds.path + ".checkpoint.json"
			// A first run that is interrupted leaves a checkpoint behind.
			first := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "0", ds.path)
			if first.code != exitOK {
				t.Fatalf("first run: %d\n%s", first.code, tail(first.stderr))
			}
			st, err := checkpoint.Load(cp)
			if err != nil {
				t.Fatal(err)
			}
			st.Complete = false
			st.Watermark = checkpoint.Pos{Offset: 0, Line: 1}
			if err := checkpoint.Save(cp, st); err != nil {
				t.Fatal(err)
			}
			object := "communications"
			if tt.spoil != nil {
				tt.spoil(t, ds.path, cp)
			} else {
				object = "0-18"
			}
			before := srv.Stats().BatchRequests
			res := runHubsync(t, "sync", "--base-url", url, "--object", object, "--rate", "0", ds.path)
			if res.code != exitUsage {
				t.Errorf("exit status %d, want %d", res.code, exitUsage)
			}
			if !strings.Contains(res.stderr, tt.wantErr) || !strings.Contains(res.stderr, "--restart") {
				t.Errorf("stderr does not say %q and how to start over:\n%s", tt.wantErr, res.stderr)
			}
			if n := srv.Stats().BatchRequests - before; n != 0 {
				t.Errorf("%d batch requests sent by a run that had to refuse to start", n)
			}
		})
	}
}

func TestRerunOfCompleteJob(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 2000})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 500, seedIDs: 2000, distinct: 500, seed: 4})
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", ds.path}
	if res := runHubsync(t, args...); res.code != exitOK {
		t.Fatalf("first run: %d\n%s", res.code, tail(res.stderr))
	}
	before := srv.Stats().BatchRequests
	res := runHubsync(t, args...)
	if res.code != exitOK || !strings.Contains(res.stderr, "already complete") {
		t.Errorf("rerun: status %d, stderr %q; want 0 and 'already complete'", res.code, res.stderr)
	}
	if n := srv.Stats().BatchRequests - before; n != 0 {
		t.Errorf("rerun of a complete job sent %d requests", n)
	}
	res = runHubsync(t, append(args[:len(args)-1], "--restart", ds.path)...)
	if res.code != exitOK || srv.Stats().BatchRequests-before == 0 {
		t.Errorf("--restart: status %d after %d requests; want a full new run", res.code, srv.Stats().BatchRequests-before)
	}
}

// TestDeadLetterDiskFull writes dead letters to /dev/full: the run must stop
// with a clear error, and its checkpoint must not claim the records whose
// dead letters were lost. A rerun with a working dead-letter file then ends
// with every bad record in it exactly once.
func TestDeadLetterDiskFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skipf("this machine has no /dev/full to simulate a full disk: %v", err)
	}
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 5000})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 5000, seedIDs: 5000, distinct: 4000, badEvery: 50, seed: 5})
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--log-format", "json"}
	res := runHubsync(t, append(args, "--dead-letter", "/dev/full", ds.path)...)
	if res.code != exitFatal || !strings.Contains(res.stderr, "no space left on device") {
		t.Fatalf("with a full disk: status %d, want %d and the cause in stderr:\n%s", res.code, exitFatal, tail(res.stderr))
	}
	firstBad := int64(1 << 62)
	for line := range ds.dead {
		firstBad = min(firstBad, line)
	}
	if st, err := checkpoint.Load(ds.path + ".checkpoint.json"); err == nil {
		if st.Watermark.Line > firstBad || len(st.Settled) > 0 {
			t.Errorf("checkpoint claims up to line %d (+%d spans), past the first lost dead letter at line %d",
				st.Watermark.Line, len(st.Settled), firstBad)
		}
	}
	good := filepath.Join(t.TempDir(), "dead.csv")
	res = runHubsync(t, append(args, "--dead-letter", good, ds.path)...)
	if res.code != exitDeadLetters {
		t.Fatalf("rerun: status %d\n%s", res.code, tail(res.stderr))
	}
	checkState(t, srv, ds)
	if diff := cmp.Diff(ds.dead, readDeadLetters(t, good)); diff != "" {
		t.Errorf("dead letters, line → code (-want +got):\n%s", diff)
	}
}
