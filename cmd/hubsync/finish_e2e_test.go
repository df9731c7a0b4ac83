package main

import (
	"strings"
	"testing"

	"github.com/hubsync/hubsync/emulator"
)

// Rerunning a finished job ends as the job ended: a cron job that retries
// hourly until it sees 0 must not take a job with dead letters for a clean
// one the second time round.
func TestRerunOfFinishedJob(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 200, Seed: 3})
	tests := []struct {
		name     string
		badEvery int
		want     int
		say      string
	}{
		{name: "every record applied", want: exitOK, say: "already complete"},
		{name: "records in the dead-letter file", badEvery: 10, want: exitDeadLetters, say: "10 records in the dead-letter file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ds := generate(t, dir, "in.csv", genOptions{rows: 100, seedIDs: 200, distinct: 100, badEvery: tt.badEvery, seed: 1})
			args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", ds.path}
			first := runHubsync(t, args...)
			if first.code != tt.want {
				t.Fatalf("first run exit %d, want %d\n%s", first.code, tt.want, tail(first.stderr))
			}
			rerun := runHubsync(t, args...)
			if rerun.code != tt.want {
				t.Errorf("rerun exit %d, want %d as the first run\n%s", rerun.code, tt.want, tail(rerun.stderr))
			}
			if !strings.Contains(rerun.stderr, tt.say) {
				t.Errorf("rerun does not say %q:\n%s", tt.say, tail(rerun.stderr))
			}
		})
	}
}
