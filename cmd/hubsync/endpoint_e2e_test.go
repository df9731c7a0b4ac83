package main

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubsync/hubsync/emulator"
)

// TestWrongEndpoint runs syncs whose base URL or object type is wrong:
// each must end with status 2 within seconds, saying what to check,
// whether the first request is the preflight's or (with --no-preflight)
// the first batch's, and send nothing.
func TestWrongEndpoint(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	input := filepath.Join(t.TempDir(), "in.csv")
	if err := writeFile(input, "id,hs_communication_body\n1,hi\n2,ho\n"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, base, object string
		want               []string // in stderr
	}{
		{"closed port", closed, "communications", []string{"cannot reach HubSpot at " + closed, "connection refused", "--base-url"}},
		{"404 endpoint", url + "/v2", "communications", []string{"answered 404", "--base-url must be the API root"}},
		{"unknown object type", url, "butterflies", []string{`--object "butterflies"`, "communications, contacts, companies, deals, tickets", "0-N", "2-N"}},
	}
	for _, tc := range tests {
		for _, mode := range []string{"preflight", "no-preflight"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				before := srv.Stats().BatchRequests
				args := []string{"sync", "--base-url", tc.base, "--object", tc.object, "--log-format", "json",
					"--checkpoint", filepath.Join(t.TempDir(), "cp.json"), "--dead-letter", filepath.Join(t.TempDir(), "dl.csv")}
				if mode == "no-preflight" {
					args = append(args, "--no-preflight")
				}
				res := runHubsync(t, append(args, input)...)
				if res.code != exitUsage {
					t.Fatalf("exit status %d, want %d; stderr:\n%s", res.code, exitUsage, tail(res.stderr))
				}
				if res.elapsed > 5*time.Second {
					t.Errorf("took %s, want under 5s", res.elapsed.Round(time.Millisecond))
				}
				for _, w := range tc.want {
					if !strings.Contains(res.stderr, w) {
						t.Errorf("stderr does not say %q:\n%s", w, tail(res.stderr))
					}
				}
				if n := srv.Stats().BatchRequests - before; mode == "preflight" && n != 0 {
					t.Errorf("%d batch requests, want none", n)
				}
			})
		}
	}
}

// TestWrongEndpointLeavesNoCheckpoint: a --no-preflight run that found the
// URL or the object type wrong writes no checkpoint, so that the command
// fixed runs as a new job instead of being refused for other settings.
func TestWrongEndpointLeavesNoCheckpoint(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	if err := writeFile(input, "id,hs_communication_body\n1,hi\n2,ho\n"); err != nil {
		t.Fatal(err)
	}
	for _, wrong := range [][]string{{"--base-url", url + "/v2", "--object", "communications"}, {"--base-url", url, "--object", "butterflies"}} {
		args := append(append([]string{"sync", "--no-preflight", "--log-format", "json"}, wrong...), input)
		if res := runHubsync(t, args...); res.code != exitUsage {
			t.Fatalf("%v: exit status %d, want %d; stderr:\n%s", wrong, res.code, exitUsage, tail(res.stderr))
		}
		if _, err := os.Stat(input + ".checkpoint.json"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v: a checkpoint was written (%v)", wrong, err)
		}
	}
	res := runHubsync(t, "sync", "--no-preflight", "--log-format", "json", "--base-url", url, "--object", "communications", input)
	if res.code != exitOK {
		t.Fatalf("fixed command: exit status %d, want 0; stderr:\n%s", res.code, tail(res.stderr))
	}
}
