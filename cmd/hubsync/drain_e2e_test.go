package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hubsync/hubsync/emulator"
)

// TestFirstInterruptSaysWhatHappens sends SIGINT while slow requests are
// in flight: the run must say that it finishes them, for how long at most,
// and how to stop at once, then exit 4.
func TestFirstInterruptSaysWhatHappens(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 2000,
		Faults: emulator.Faults{PSlow: 1, SlowDelay: 1500 * time.Millisecond}})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 2000, seedIDs: 2000, unique: true, seed: 3})
	cmd, errb := startSync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "0", "--workers", "3",
		"--log-format", "console", "--progress", "never", ds.path)
	// Each answer waits 1.5 s: once the emulator has the third request,
	// three are on the wire.
	waitFor(t, 20*time.Second, "three requests", func() bool { return srv.Stats().BatchRequests >= 3 })
	cmd.Process.Signal(os.Interrupt)
	if got, _ := waitExit(t, cmd, 20*time.Second); got != exitResumable {
		t.Fatalf("exit status %d, want %d\n%s", got, exitResumable, tail(errb.String()))
	}
	if want := "finishing 3 requests in flight (up to 30s); Ctrl-C again to stop now"; !strings.Contains(errb.String(), want) {
		t.Errorf("stderr does not say %q:\n%s", want, tail(errb.String()))
	}
}

func TestDrainMessage(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "stopping: no request in flight; saving progress. Ctrl-C again to stop now"},
		{1, "finishing 1 request in flight (up to 30s); Ctrl-C again to stop now"},
		{4, "finishing 4 requests in flight (up to 30s); Ctrl-C again to stop now"},
	}
	for _, tc := range tests {
		if got := drainMessage(tc.n, 30*time.Second); got != tc.want {
			t.Errorf("drainMessage(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
