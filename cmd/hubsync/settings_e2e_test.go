package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubsync/hubsync/emulator"
)

// TestSettingsRefusedBeforeAnyRequest runs settings out of range: each is
// refused with status 2 and a message naming the setting as the user
// wrote it and its valid range, before a single request reaches HubSpot.
func TestSettingsRefusedBeforeAnyRequest(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	dir := t.TempDir()
	input := filepath.Join(dir, "calls.csv")
	writeRows(t, input, 3, 0)
	config := filepath.Join(dir, "nightly.yaml")
	if err := writeFile(config, "object: communications\nbatch_size: 500\nmapping:\n  time_zone: Mars/Olympus\n"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"batch size flag", []string{"--batch-size", "500"}, "--batch-size 500: HubSpot takes 1 to 100 records per batch request"},
		{"batch size zero", []string{"--batch-size", "0"}, "--batch-size 0: HubSpot takes 1 to 100"},
		{"batch size from config", []string{"--config", config}, "batch_size 500 (from " + config + "): HubSpot takes 1 to 100"},
		{"rate too fast", []string{"--rate", "100000/1s"}, "--rate 100000/1s: that is 100000 requests a second, more than the 1000 hubsync allows"},
		{"rate window too short", []string{"--rate", "5/10ms"}, "--rate 5/10ms: the window must be from 100ms to 24h"},
		{"rate window too long", []string{"--rate", "1/48h"}, "--rate 1/48h: the window must be from 100ms to 24h"},
		{"rate without requests", []string{"--rate", "0/1s"}, "--rate 0/1s: want N/DURATION"},
		{"workers", []string{"--workers", "0"}, "--workers 0: want 1 to 64 requests in flight"},
		{"time zone flag", []string{"--time-zone", "Mars/Olympus"}, `--time-zone "Mars/Olympus": unknown time zone`},
		{"time zone from config", []string{"--config", config, "--batch-size", "100"}, `mapping.time_zone "Mars/Olympus": unknown time zone`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.Stats().Requests
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--log-format", "json"}, tt.args...)
			res := runHubsync(t, append(args, input)...)
			if res.code != exitUsage {
				t.Errorf("exit status %d, want %d\n%s", res.code, exitUsage, tail(res.stderr))
			}
			if !strings.Contains(res.stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, res.stderr)
			}
			if n := srv.Stats().Requests - before; n != 0 {
				t.Errorf("%d requests reached the emulator, want 0", n)
			}
		})
	}
}

// TestPreflightNamesTheFlag maps a column to a property that does not
// exist, once with --map and once in a config file: the message names what
// the user wrote.
func TestPreflightNamesTheFlag(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	dir := t.TempDir()
	input := filepath.Join(dir, "calls.csv")
	if err := writeFile(input, "id,Body\n1,hi\n"); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "c.yaml")
	if err := writeFile(config, "object: communications\nmapping:\n  columns: {Body: hs_body}\n"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"flag", []string{"--object", "communications", "--map", "Body=hs_body"}, `--map Body=hs_body maps column "Body" to "hs_body", which is not a property`},
		{"config", []string{"--config", config}, `mapping.columns maps column "Body" to "hs_body", which is not a property`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"sync", "--base-url", url, "--log-format", "json"}, tt.args...)
			res := runHubsync(t, append(args, input)...)
			if res.code != exitUsage || !strings.Contains(res.stderr, tt.want) {
				t.Errorf("exit status %d, want %d, and stderr with %q:\n%s", res.code, exitUsage, tt.want, res.stderr)
			}
		})
	}
}
