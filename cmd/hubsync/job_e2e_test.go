package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/emulator"
)

// partway reports whether the checkpoint at cp is an unfinished one of the
// input ds, past the line after.
func partway(cp string, ds *dataset, after int64) bool {
	st, err := checkpoint.Load(cp)
	if err != nil || st.Complete || st.Watermark.Line <= after {
		return false
	}
	f, err := os.Open(ds.path)
	if err != nil {
		return false
	}
	defer f.Close()
	in, err := checkpoint.Fingerprint(f, ds.path)
	return err == nil && st.Input.Head == in.Head
}

// archives lists the archived copies of path, oldest first by name.
func archives(t *testing.T, path string) []string {
	t.Helper()
	got, err := filepath.Glob(path + ".prev-*")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

// TestNightlyWeek runs a scheduled job five nights on one path, each night
// with the same command line, as cron would: a new export is a new job
// (the last one archived), a killed run resumes, a new export over an
// unfinished job is refused unless --on-new-input restart, and archives are
// capped at --keep-archives.
func TestNightlyWeek(t *testing.T) {
	// Every answer takes 30 ms and one worker waits for each, so a night of
	// 3,000 records (30 requests and more) lasts long enough to be stopped
	// part way.
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 4000, Seed: 3,
		Faults: emulator.Faults{PSlow: 1, SlowDelay: 30 * time.Millisecond}})
	dir := t.TempDir()
	export := func(night int) *dataset {
		return generate(t, dir, "export.csv", genOptions{rows: 3000, seedIDs: 4000, distinct: 2500, badEvery: 100, seed: uint64(night)})
	}
	cp := filepath.Join(dir, "export.csv.checkpoint.json")
	dl := filepath.Join(dir, "export.dead-letter.csv")
	// Files that look like archives but are not this job's own: never pruned.
	strangers := []string{cp + ".prev-notes", filepath.Join(dir, "other.dead-letter.csv.prev-20200101T000000Z"), dl + ".prev-20200101T000000Z.bak"}
	for _, p := range strangers {
		putFile(t, p, "keep me\n")
	}
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0",
		"--workers", "1", "--keep-archives", "2", "--log-format", "json", filepath.Join(dir, "export.csv")}
	withFlag := func(flags ...string) []string {
		return append(append(slices.Clone(args[:len(args)-1]), flags...), args[len(args)-1])
	}
	heads := map[int]string{}
	head := func(night int) {
		st, err := checkpoint.Load(cp)
		if err != nil {
			t.Fatalf("night %d: %v", night, err)
		}
		heads[night] = st.Input.Head
	}

	// Night 1: a first export, complete.
	ds := export(1)
	if res := runHubsync(t, args...); res.code != exitDeadLetters {
		t.Fatalf("night 1: exit status %d\n%s", res.code, tail(res.stderr))
	}
	head(1)

	// Night 2: tonight's export replaces the file; last night's job is done.
	ds = export(2)
	res := runHubsync(t, args...)
	if res.code != exitDeadLetters {
		t.Fatalf("night 2: exit status %d, want %d (a new job)\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}
	if !strings.Contains(res.stderr, "new input") {
		t.Errorf("night 2 does not say it started a new job:\n%s", tail(res.stderr))
	}
	if got := archives(t, cp); len(got) != 2 || !slices.Contains(got, strangers[0]) {
		t.Errorf("night 2: checkpoint archives %q, want night 1's and the stranger", got)
	}
	if diff := cmp.Diff(ds.dead, readDeadLetters(t, dl)); diff != "" {
		t.Errorf("night 2: dead letters, line → code (-want +got):\n%s", diff)
	}
	head(2)

	// Night 3: a new export, killed part way.
	ds = export(3)
	cmd, errb := startSync(t, args...)
	waitFor(t, 20*time.Second, "night 3 to save progress", func() bool { return partway(cp, ds, 1) })
	cmd.Process.Kill()
	if got := exitStatus(cmd.Wait()); got != -int(syscall.SIGKILL) {
		t.Fatalf("night 3 ended by itself with %d before the kill\n%s", got, tail(errb.String()))
	}
	head(3)
	st, _ := checkpoint.Load(cp)

	// Night 4: the same file; it resumes, and is stopped by SIGINT.
	cmd, errb = startSync(t, args...)
	waitFor(t, 20*time.Second, "night 4 to advance", func() bool { return partway(cp, ds, st.Watermark.Line) })
	cmd.Process.Signal(os.Interrupt)
	if got := exitStatus(cmd.Wait()); got != exitResumable {
		t.Fatalf("night 4: exit status %d, want %d\n%s", got, exitResumable, tail(errb.String()))
	}
	if !strings.Contains(errb.String(), `"resumed":true`) {
		t.Errorf("night 4 did not resume night 3's job:\n%s", tail(errb.String()))
	}
	before, _ := os.ReadFile(cp)

	// Night 5: a new export over the unfinished job: refused by default.
	ds = export(5)
	sent := srv.Stats().BatchRequests
	res = runHubsync(t, args...)
	if res.code != exitUsage || !strings.Contains(res.stderr, "unfinished") || !strings.Contains(res.stderr, "--on-new-input restart") {
		t.Errorf("night 5: exit status %d, want %d, saying the job is unfinished and how to start the new input:\n%s", res.code, exitUsage, tail(res.stderr))
	}
	if n := srv.Stats().BatchRequests - sent; n != 0 {
		t.Errorf("night 5 sent %d requests before refusing", n)
	}
	if after, _ := os.ReadFile(cp); !bytes.Equal(before, after) {
		t.Error("night 5 changed the unfinished job's checkpoint while refusing")
	}

	// With --on-new-input restart, the newest file wins.
	res = runHubsync(t, withFlag("--on-new-input", "restart")...)
	if res.code != exitDeadLetters || !strings.Contains(res.stderr, "unfinished") {
		t.Fatalf("night 5 with --on-new-input restart: exit status %d, want %d and a warning\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}
	if diff := cmp.Diff(ds.dead, readDeadLetters(t, dl)); diff != "" {
		t.Errorf("night 5: dead letters, line → code (-want +got):\n%s", diff)
	}
	head(5)

	// Archives capped at two per file: the jobs of nights 2 and 3, and the
	// strangers untouched.
	var kept []string
	for _, p := range archives(t, cp) {
		if p == strangers[0] {
			continue
		}
		old, err := checkpoint.Load(p)
		if err != nil {
			t.Fatalf("archived checkpoint %s: %v", p, err)
		}
		for night, h := range heads {
			if old.Input.Head == h {
				kept = append(kept, strconv.Itoa(night))
			}
		}
	}
	if diff := cmp.Diff([]string{"2", "3"}, kept); diff != "" {
		t.Errorf("archived checkpoints, by night (-want +got):\n%s", diff)
	}
	if got := archives(t, dl); len(got) != 3 { // two, and the .bak stranger
		t.Errorf("archived dead-letter files %q, want two and the stranger", got)
	}
	for _, p := range strangers {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("a file hubsync did not archive was touched: %v", err)
		}
	}
}

// countHeaders counts the rows of a CSV dead-letter file that are its
// header row.
func countHeaders(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(string(b), "\n")
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if line == header {
			n++
		}
	}
	return n
}

// TestOneRunAtATime starts a second run of a job while the first runs: it
// must refuse at start, naming the first, and leave the dead-letter file
// to the first alone. After the first is killed, a rerun proceeds.
func TestOneRunAtATime(t *testing.T) {
	for _, kill := range []bool{false, true} {
		t.Run(fmt.Sprintf("first killed %v", kill), func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Config{SeedIDs: 4000, Seed: 5,
				Faults: emulator.Faults{PSlow: 1, SlowDelay: 30 * time.Millisecond}})
			dir := t.TempDir()
			ds := generate(t, dir, "calls.csv", genOptions{rows: 3000, seedIDs: 4000, distinct: 2500, badEvery: 100, seed: 7})
			args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--workers", "1", "--log-format", "json", ds.path}
			cp, dl := ds.path+".checkpoint.json", filepath.Join(dir, "calls.dead-letter.csv")

			first, errb := startSync(t, args...)
			waitFor(t, 20*time.Second, "the first run to save progress", func() bool { return partway(cp, ds, 1) })
			if kill {
				first.Process.Kill()
				if got := exitStatus(first.Wait()); got != -int(syscall.SIGKILL) {
					t.Fatalf("first run ended by itself with %d\n%s", got, tail(errb.String()))
				}
			}
			sent := srv.Stats().BatchRequests
			second := runHubsync(t, args...)
			if !kill {
				want := fmt.Sprintf("another run of this job is in progress, pid %d since ", first.Process.Pid)
				if second.code != exitUsage || !strings.Contains(second.stderr, want) {
					t.Errorf("second run: exit status %d, want %d and %q:\n%s", second.code, exitUsage, want, tail(second.stderr))
				}
				if second.elapsed > 5*time.Second {
					t.Errorf("second run took %s to refuse", second.elapsed)
				}
				if got := exitStatus(first.Wait()); got != exitDeadLetters {
					t.Fatalf("first run: exit status %d, want %d\n%s", got, exitDeadLetters, tail(errb.String()))
				}
			} else {
				if second.code != exitDeadLetters {
					t.Fatalf("rerun after a kill: exit status %d, want %d\n%s", second.code, exitDeadLetters, tail(second.stderr))
				}
				if srv.Stats().BatchRequests == sent {
					t.Error("the rerun after a kill sent nothing")
				}
			}
			if n := countHeaders(t, dl); n != 1 {
				t.Errorf("dead-letter file has %d header rows, want 1", n)
			}
			if diff := cmp.Diff(ds.dead, readDeadLetters(t, dl)); diff != "" {
				t.Errorf("dead letters, line → code (-want +got):\n%s", diff)
			}
			checkState(t, srv, ds)
		})
	}
}

// TestDryRunLock: a dry run locks its own dead-letter file, not the job:
// it runs beside the real job, but not beside another dry run of the same
// input.
func TestDryRunLock(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 4000, Seed: 5,
		Faults: emulator.Faults{PSlow: 1, SlowDelay: 30 * time.Millisecond}})
	dir := t.TempDir()
	ds := generate(t, dir, "calls.csv", genOptions{rows: 3000, seedIDs: 4000, distinct: 2500, badEvery: 100, seed: 8})
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--workers", "1", "--log-format", "json", ds.path}
	first, errb := startSync(t, args...)
	defer first.Wait()
	defer first.Process.Kill()
	waitFor(t, 20*time.Second, "the real run to save progress", func() bool { return partway(ds.path+".checkpoint.json", ds, 1) })

	dry := runHubsync(t, append([]string{"sync", "--dry-run"}, args[1:]...)...)
	if dry.code != exitDeadLetters {
		t.Errorf("dry run beside the real run: exit status %d, want %d\n%s", dry.code, exitDeadLetters, tail(dry.stderr))
	}
	dryLock := filepath.Join(dir, "calls.dry-run.dead-letter.csv.lock")
	lock, err := checkpoint.Lock(dryLock)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	dry = runHubsync(t, append([]string{"sync", "--dry-run"}, args[1:]...)...)
	if dry.code != exitUsage || !strings.Contains(dry.stderr, "another run of this job is in progress") {
		t.Errorf("dry run beside another: exit status %d, want %d\n%s", dry.code, exitUsage, tail(dry.stderr))
	}
	if t.Failed() {
		t.Logf("the real run:\n%s", tail(errb.String()))
	}
}
