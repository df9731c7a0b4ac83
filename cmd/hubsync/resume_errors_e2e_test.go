package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/emulator"
	"github.com/hubsync/hubsync/sink/deadletter"
	"github.com/hubsync/hubsync/source"
)

// TestResumeRefusals checks the cases where a rerun must not start: a
// damaged checkpoint and a changed input. Nothing may be sent.
func TestResumeRefusals(t *testing.T) {
	tests := []struct {
		name    string
		spoil   func(t *testing.T, input, cp string)
		more    []string // flags of the resuming run
		wantErr string
	}{
		{"truncated checkpoint", func(t *testing.T, _, cp string) {
			b, _ := os.ReadFile(cp)
			os.WriteFile(cp, b[:len(b)/2], 0o600)
		}, nil, "is damaged"},
		{"garbage checkpoint", func(t *testing.T, _, cp string) {
			os.WriteFile(cp, []byte("\x00\x01not json"), 0o600)
		}, nil, "is damaged"},
		{"input appended to", func(t *testing.T, input, _ string) {
			f, _ := os.OpenFile(input, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("1,late row,SMS,1,true,BILLING\n")
			f.Close()
		}, nil, "the input has changed"},
		{"other object type", nil, []string{"--object", "0-18"}, "setting object"},
		// A job begun without --only-changed sent records its sync
		// state never heard of: resumed with it, the state would be
		// finished as complete.
		{"begun without --only-changed", nil, []string{"--only-changed"}, "setting only_changed"},
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
			if tt.spoil != nil {
				tt.spoil(t, ds.path, cp)
			}
			before := srv.Stats().BatchRequests
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--rate", "0",
				"--state-dir", filepath.Join(t.TempDir(), "state")}, tt.more...)
			res := runHubsync(t, append(args, ds.path)...)
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

// TestDeadLetterDiskFull runs out of room for dead letters: the run must
// stop with a clear error, and its checkpoint must not claim a record whose
// dead letter was lost. A rerun then ends with every bad record in the
// dead-letter file exactly once. A file size limit stands for a full disk
// (writes past it fail with EFBIG rather than ENOSPC), since hubsync refuses
// a device such as /dev/full as its dead-letter file.
func TestDeadLetterDiskFull(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 5000})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 5000, seedIDs: 5000, distinct: 4000, badEvery: 50, seed: 5})
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--log-format", "json", ds.path}
	// Eight blocks (4 or 8 KiB, by the shell) hold some of the 100 dead
	// letters and every checkpoint.
	full := exec.Command("sh", append([]string{"-c", `ulimit -f 8 && exec "$0" "$@"`, hubsyncBin}, args...)...)
	full.Env = append(os.Environ(), "HUBSPOT_ACCESS_TOKEN="+testToken)
	out, err := full.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFatal || !strings.Contains(string(out), "file too large") {
		t.Fatalf("with a full disk: %v, want status %d and the cause in the output:\n%s", err, exitFatal, tail(string(out)))
	}
	dlPath := strings.TrimSuffix(ds.path, ".csv") + ".dead-letter.csv"
	if st, err := checkpoint.Load(ds.path + ".checkpoint.json"); err == nil {
		kept := map[int64]bool{}
		if err := deadletter.Scan(dlPath, source.CSV, 0, func(line int64) error { kept[line] = true; return nil }); err != nil {
			t.Fatal(err)
		}
		for line := range ds.dead {
			if line < st.Watermark.Line && !kept[line] {
				t.Errorf("checkpoint claims up to line %d, past the lost dead letter of line %d", st.Watermark.Line, line)
			}
		}
	}
	res := runHubsync(t, args...)
	if res.code != exitDeadLetters {
		t.Fatalf("rerun: status %d\n%s", res.code, tail(res.stderr))
	}
	checkState(t, srv, ds)
	if diff := cmp.Diff(ds.dead, readDeadLetters(t, dlPath)); diff != "" {
		t.Errorf("dead letters, line → code (-want +got):\n%s", diff)
	}
}
