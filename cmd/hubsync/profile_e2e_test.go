package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hubsync/hubsync/emulator"
)

// TestProfilesWritten: HUBSYNC_CPUPROFILE and HUBSYNC_MEMPROFILE each leave
// a pprof file (gzip-compressed protocol buffers) behind, and the run is
// otherwise unchanged.
func TestProfilesWritten(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 100})
	dir := t.TempDir()
	ds := generate(t, dir, "calls.csv", genOptions{rows: 200, seedIDs: 100, distinct: 100, seed: 2})
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	cmd := exec.Command(hubsyncBin, "sync", "--base-url", url, "--object", "communications", "--rate", "0", ds.path)
	cmd.Env = append(os.Environ(), "HUBSPOT_ACCESS_TOKEN="+testToken, "HUBSYNC_CPUPROFILE="+cpu, "HUBSYNC_MEMPROFILE="+mem)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sync: %v\n%s", err, tail(string(out)))
	}
	for _, p := range []string{cpu, mem} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s is not a gzip-compressed profile (%d bytes): %v", filepath.Base(p), len(b), err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil || len(raw) == 0 {
			t.Fatalf("%s: %d bytes, %v", filepath.Base(p), len(raw), err)
		}
		if bytes.Contains(raw, []byte(testToken)) {
			t.Errorf("%s holds the access token", filepath.Base(p))
		}
	}
}
