package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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
		{name: "every record failed", badEvery: 1, want: exitTooManyFailed, say: "every record failed"},
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

// A file in which every record failed is not a success with some dead
// letters, however small: it ends with status 6 naming the errors, while
// a file with some good records keeps status 3, and a dry run reports.
func TestEveryRecordFailed(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 200, Seed: 3})
	input := func(rows, good int) string {
		var b strings.Builder
		b.WriteString("id,hs_communication_body\n")
		for i := range rows {
			id := fmt.Sprint(1000 + i) // no such record
			if i < good {
				id = fmt.Sprint(i%200 + 1)
			}
			fmt.Fprintf(&b, "%s,hello\n", id)
		}
		return b.String()
	}
	tests := []struct {
		name    string
		content string
		args    []string
		want    int
		say     string
	}{
		{name: "500 of 500 failed", content: input(500, 0), want: exitTooManyFailed, say: "OBJECT_NOT_FOUND (500)"},
		{name: "500 of 500 failed, no limit", content: input(500, 0), args: []string{"--max-dead-letters", "none"}, want: exitDeadLetters},
		{name: "one of one failed", content: input(1, 0), want: exitTooManyFailed, say: "OBJECT_NOT_FOUND"},
		{name: "one record applied", content: input(500, 1), want: exitDeadLetters},
		{name: "dry run", content: "id,hs_communication_body\n,no id\n,none either\n", args: []string{"--dry-run"}, want: exitDeadLetters},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "in.csv")
			putFile(t, p, tt.content)
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--rate", "0"}, tt.args...)
			res := runHubsync(t, append(args, p)...)
			if res.code != tt.want {
				t.Fatalf("exit %d, want %d\n%s", res.code, tt.want, tail(res.stderr))
			}
			if !strings.Contains(res.stderr, tt.say) {
				t.Errorf("output does not say %q:\n%s", tt.say, tail(res.stderr))
			}
		})
	}
}

// SIGTERM, Kubernetes' first signal, while the preflight waits out a
// HubSpot that answers 503: the run stops at once with status 4, before
// the grace period ends in SIGKILL.
func TestInterruptDuringPreflight(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	p := filepath.Join(t.TempDir(), "in.csv")
	putFile(t, p, "id,hs_communication_body\n1,a\n")
	cmd, errb := startSync(t, "sync", "--base-url", srv.URL, "--object", "communications", p)
	waitFor(t, 20*time.Second, "the preflight's first retry", func() bool { return asked.Load() >= 2 })
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan int, 1)
	go func() { done <- exitStatus(cmd.Wait()) }()
	select {
	case code := <-done:
		if code != exitResumable {
			t.Errorf("exit %d after SIGTERM, want %d\n%s", code, exitResumable, tail(errb.String()))
		}
		if !strings.Contains(errb.String(), "interrupted before anything was sent") {
			t.Errorf("the output does not say it was interrupted before anything was sent:\n%s", tail(errb.String()))
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("still running 10 s after SIGTERM\n%s", tail(errb.String()))
	}
}

// The README's "fix the records in the dead-letter file, then sync that
// file", with a config for a ';' export: the dead-letter file is written
// with ',' and read back with ',' although --delimiter says ';'.
func TestSyncFixedDeadLetterFileOfSemicolonInput(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 200, Seed: 3})
	dir := t.TempDir()
	in := filepath.Join(dir, "export.csv")
	putFile(t, in, "id;hs_communication_body;message_count\n1;hello;5\n2;hi, there;not-a-number\n")
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--delimiter", ";"}
	first := runHubsync(t, append(args, in)...)
	if first.code != exitDeadLetters {
		t.Fatalf("first run exit %d, want %d\n%s", first.code, exitDeadLetters, tail(first.stderr))
	}
	dl := filepath.Join(dir, "export.dead-letter.csv")
	b, err := os.ReadFile(dl)
	if err != nil {
		t.Fatal(err)
	}
	fixed := strings.Replace(string(b), "not-a-number", "7", 1)
	if fixed == string(b) {
		t.Fatalf("the dead-letter file does not hold the bad value:\n%s", b)
	}
	putFile(t, dl, fixed)
	second := runHubsync(t, append(args, dl)...)
	if second.code != exitOK {
		t.Fatalf("sync of the fixed dead-letter file exit %d, want %d\n%s", second.code, exitOK, tail(second.stderr))
	}
	if got, _ := srv.Record("communications", "2"); got["message_count"] != "7" || got["hs_communication_body"] != "hi, there" {
		t.Errorf("record 2 = %v, want message_count 7 and the body as written", got)
	}
}
