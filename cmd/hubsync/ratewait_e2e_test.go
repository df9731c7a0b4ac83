package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hubsync/hubsync/emulator"
)

// TestAdoptedLimitIsLogged runs --rate 10/1s against an emulator whose
// headers announce 5 per second: the run must say once that it adopted
// HubSpot's lower limit, and finish.
func TestAdoptedLimitIsLogged(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 400, Rate: 5, Window: time.Second})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 400, seedIDs: 400, unique: true, seed: 7})
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "10/1s", "--batch-size", "50",
		"--log-format", "json", ds.path)
	if res.code != exitOK {
		t.Fatalf("exit status %d, want 0\n%s", res.code, tail(res.stderr))
	}
	const want = `"msg":"adopted HubSpot's limit, lower than --rate","hubspot_limit":"5 per 1s","rate":"10/1s"`
	if n := strings.Count(res.stderr, want); n != 1 {
		t.Errorf("%d log lines %s, want one:\n%s", n, want, tail(res.stderr))
	}
}
