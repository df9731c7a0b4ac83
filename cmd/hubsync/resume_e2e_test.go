package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/emulator"
)

// crashRows is the size of the crash tests' input: at least 50,000 records.
const crashRows = 50000

// okRows counts the rows of ds that HubSpot applies (each applied once by a
// run that never re-sends).
func okRows(ds *dataset) int { return ds.rows - len(ds.dead) }

// startSync starts the binary without waiting for it.
func startSync(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(hubsyncBin, args...)
	cmd.Env = append(os.Environ(), "HUBSPOT_ACCESS_TOKEN="+testToken)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &errb
}

// killWhenApplied kills cmd with SIGKILL as soon as the emulator has
// applied need records in all, and returns its exit status: -SIGKILL, or
// the run's own status when it ended first. It polls every 2 ms, so the
// kill lands just after a batch was applied, while its answer is still
// held back. It fails the test when neither happens within timeout.
func killWhenApplied(t *testing.T, cmd *exec.Cmd, srv *emulator.Server, need int, timeout time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(timeout)
	for {
		select {
		case err := <-done:
			return exitStatus(err)
		case <-tick.C:
			if srv.Stats().RecordsApplied >= need {
				cmd.Process.Kill()
				return exitStatus(<-done)
			}
		case <-deadline:
			cmd.Process.Kill()
			<-done
			t.Fatalf("%d records applied after %s, want %d before the kill", srv.Stats().RecordsApplied, timeout, need)
		}
	}
}

func exitStatus(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -int(ws.Signal())
		}
		return ee.ExitCode()
	}
	if err != nil {
		return -1000
	}
	return 0
}

// TestCrashResume kills the binary with SIGKILL at random points of its
// progress, at least ten times, resuming each time, then checks that the
// emulator's final state is exact, that every bad record is in the
// dead-letter file exactly once, and that each kill cost at most the
// in-flight window in re-sent records.
func TestCrashResume(t *testing.T) {
	const workers, batch = 4, 100
	// Every answer takes 40 ms, so four batches are always in flight (about
	// 100 requests/s) and a kill always lands on applied but unanswered ones.
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 40000, Seed: 9,
		Faults: emulator.Faults{PSlow: 1, SlowDelay: 40 * time.Millisecond}})
	dir := t.TempDir()
	ds := generate(t, dir, "calls.csv", genOptions{rows: crashRows, seedIDs: 40000, distinct: 30000, badEvery: 97, seed: 11, multiline: true})
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0",
		"--workers", "4", "--log-format", "json", ds.path}
	rng := rand.New(rand.NewPCG(42, 42))

	kills := 0
	for ; kills < 12; kills++ {
		// Each run applies 700 to 3,200 records before its kill: more than
		// a resume re-sends, so every run moves on, and 12 runs stay short
		// of the file's 50,000.
		need := srv.Stats().RecordsApplied + 700 + rng.IntN(2500)
		cmd, errb := startSync(t, args...)
		status := killWhenApplied(t, cmd, srv, need, 30*time.Second)
		if status != -int(syscall.SIGKILL) {
			if kills < 10 {
				t.Fatalf("run %d ended by itself (status %d) before 10 kills; stderr:\n%s", kills+1, status, tail(errb.String()))
			}
			break
		}
	}
	res := runHubsync(t, args...)
	if res.code != exitDeadLetters {
		t.Fatalf("final run: exit status %d, want %d\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}
	checkState(t, srv, ds)
	if diff := cmp.Diff(ds.dead, readDeadLetters(t, strings.TrimSuffix(ds.path, ".csv")+".dead-letter.csv")); diff != "" {
		t.Errorf("dead letters, line → code (-want +got):\n%s", diff)
	}
	st := srv.Stats()
	resent := st.RecordsApplied - okRows(ds)
	// In flight when killed: one batch per worker, plus what settled in the
	// last checkpoint interval (20 ms: two batches at this pace).
	window := (workers + 2) * batch
	t.Logf("kills %d, records re-sent %d (%.0f per kill, bound %d), requests %d (%d answered 429)",
		kills, resent, float64(resent)/float64(kills), window, st.BatchRequests, st.ByStatus[429])
	if resent < 0 || resent > kills*window {
		t.Errorf("%d records re-sent over %d kills, want at most %d per kill", resent, kills, window)
	}
}

// TestInterruptResume sends SIGINT mid-run: the binary must finish its
// requests in flight, save, exit 4, and the rerun must not send any
// settled record again.
func TestInterruptResume(t *testing.T) {
	const workers, batch = 4, 100
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 40000, Rate: 100, Window: time.Second, Seed: 2})
	dir := t.TempDir()
	ds := generate(t, dir, "calls.jsonl", genOptions{rows: crashRows, seedIDs: 40000, distinct: 30000, badEvery: 89, seed: 12})
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "100/1s", "--log-format", "json", ds.path}

	cp := ds.path + ".checkpoint.json"
	cmd, errb := startSync(t, args...)
	waitFor(t, 30*time.Second, "the checkpoint to pass line 3000", func() bool { return partway(cp, ds, 3000) })
	cmd.Process.Signal(os.Interrupt)
	if got, _ := waitExit(t, cmd, 20*time.Second); got != exitResumable {
		t.Fatalf("after SIGINT: exit status %d, want %d\n%s", got, exitResumable, tail(errb.String()))
	}
	if !strings.Contains(errb.String(), "Run the same command again") {
		t.Errorf("no resume instructions after SIGINT:\n%s", tail(errb.String()))
	}
	st, err := checkpoint.Load(cp)
	if err != nil {
		t.Fatalf("checkpoint after SIGINT: %v", err)
	}
	if st.Complete || st.Watermark.Offset == 0 {
		t.Fatalf("checkpoint after SIGINT: complete %v at offset %d; want a partial run", st.Complete, st.Watermark.Offset)
	}
	appliedAtStop := srv.Stats().RecordsApplied

	res := runHubsync(t, args...)
	if res.code != exitDeadLetters {
		t.Fatalf("resumed run: exit status %d, want %d\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}
	checkState(t, srv, ds)
	if diff := cmp.Diff(ds.dead, readDeadLetters(t, strings.TrimSuffix(ds.path, ".jsonl")+".dead-letter.jsonl")); diff != "" {
		t.Errorf("dead letters, line → code (-want +got):\n%s", diff)
	}
	resent := srv.Stats().RecordsApplied - okRows(ds)
	t.Logf("applied before SIGINT %d, re-sent after resume %d", appliedAtStop, resent)
	if resent > workers*batch {
		t.Errorf("%d records re-sent after SIGINT, want at most the in-flight %d", resent, workers*batch)
	}
}
