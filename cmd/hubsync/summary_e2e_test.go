package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/emulator"
)

// readReport reads a --report file.
func readReport(t *testing.T, path string) runReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r runReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	return r
}

// writeRows writes a CSV input of n rows updating records 1..n, where
// every badEvery-th row names a record that does not exist.
func writeRows(t *testing.T, path string, n, badEvery int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,hs_communication_body\n")
	for i := 1; i <= n; i++ {
		id := i
		if badEvery > 0 && i%badEvery == 0 {
			id = 900000 + i
		}
		fmt.Fprintf(&b, "%d,message %d\n", id, i)
	}
	if err := writeFile(path, b.String()); err != nil {
		t.Fatal(err)
	}
}

// TestSummaryDryRunSaysWouldApply runs a dry run: nothing is sent, so
// neither its summary, its progress lines nor its report may say a record
// was applied or a request made; they say what would be.
func TestSummaryDryRunSaysWouldApply(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 100})
	dir := t.TempDir()
	input := filepath.Join(dir, "calls.csv")
	if err := writeFile(input, "id,hs_communication_body,message_count\n1,a,1\n2,b,two\n3,c,3\n"); err != nil {
		t.Fatal(err)
	}
	reportPath := filepath.Join(dir, "report.json")
	res := runHubsync(t, "sync", "--dry-run", "--base-url", url, "--object", "communications", "--log-format", "json",
		"--progress", "never", "--report", reportPath, input)
	if res.code != exitDeadLetters {
		t.Fatalf("exit status %d, want %d (one record would fail)\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}
	if got := srv.Stats().BatchRequests; got != 0 {
		t.Fatalf("a dry run sent %d batch requests", got)
	}
	if strings.Contains(res.stderr, "applied") {
		t.Errorf("a dry run's output says applied:\n%s", res.stderr)
	}
	for _, want := range []string{"dry run of " + input + " into communications: nothing was sent", "2 records would apply", "1 request needed"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stderr)
		}
	}
	r := readReport(t, reportPath)
	got := []int64{r.Counts.Applied, r.Counts.Requests, r.Counts.WouldApply, r.Counts.RequestsNeeded, r.Counts.DeadLettered}
	if diff := cmp.Diff([]int64{0, 0, 2, 1, 1}, got); diff != "" || !r.DryRun || r.Checkpoint != "" {
		t.Errorf("report: dry_run %v, checkpoint %q; applied, requests, would_apply, requests_needed, dead_lettered (-want +got):\n%s",
			r.DryRun, r.Checkpoint, diff)
	}
}

// TestSummaryResumedRunCountsWholeJob stops a job on the daily limit after
// it dead-lettered some records, then resumes it: the resumed run's
// summary, log and report count every dead letter in the file, not just
// its own, and say which lines the earlier run settled.
func TestSummaryResumedRunCountsWholeJob(t *testing.T) {
	// One request for the preflight and three batches, then 429 DAILY.
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 1000, Daily: 4})
	dir := t.TempDir()
	input := filepath.Join(dir, "calls.csv")
	writeRows(t, input, 60, 7) // 8 bad rows, 4 of them in the first 30
	reportPath := filepath.Join(dir, "report.json")
	args := []string{"sync", "--base-url", url, "--object", "communications", "--batch-size", "10", "--workers", "1",
		"--log-format", "json", "--progress", "never", "--report", reportPath, input}
	first := runHubsync(t, args...)
	if first.code != exitResumable {
		t.Fatalf("first run: exit status %d, want %d (daily limit)\n%s", first.code, exitResumable, tail(first.stderr))
	}

	// Where the first run left the job: batches may settle out of order, so
	// the watermark is read, not assumed.
	st, err := checkpoint.Load(input + ".checkpoint.json")
	if err != nil {
		t.Fatal(err)
	}
	line := st.Watermark.Line

	// The quota resets: a new emulator at the same address.
	srv.Close()
	srv2, err := emulator.New(emulator.Config{SeedIDs: 1000, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv2.Start(strings.TrimPrefix(url, "http://")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv2.Close() })

	res := runHubsync(t, args...)
	if res.code != exitDeadLetters {
		t.Fatalf("resumed run: exit status %d, want %d\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}
	dead := readDeadLetters(t, filepath.Join(dir, "calls.dead-letter.csv"))
	if len(dead) != 8 {
		t.Fatalf("dead-letter file holds %d entries, want 8", len(dead))
	}
	// The first batch may be the one the daily limit stopped, the
	// others settling beyond it: then nothing before the watermark was.
	resumedAt := fmt.Sprintf("resumed at line %d: lines 2..%d settled by earlier runs", line, line-1)
	if line == 1 {
		resumedAt = "resumed at line 1: no record before it was settled"
	}
	for _, want := range []string{
		"complete, 8 records in the dead-letter file",
		resumedAt,
		"whole job:    52 applied, 8 dead-lettered",
		"dead letters: OBJECT_NOT_FOUND 8, in ",
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, tail(res.stderr))
		}
	}
	if strings.Contains(res.stderr, "skipping 0 records") {
		t.Errorf("summary says it skipped 0 records:\n%s", tail(res.stderr))
	}
	if !regexp.MustCompile(`"msg":"sync finished".*"job_dead_lettered":8`).MatchString(res.stderr) {
		t.Errorf("the log's summary line does not count the job's 8 dead letters:\n%s", tail(res.stderr))
	}
	r := readReport(t, reportPath)
	if r.JobTotals == nil || r.JobTotals.DeadLettered != 8 || r.ResumedAtLine != line {
		t.Errorf("report: job totals %+v, resumed at line %d; want 8 dead-lettered, line %d", r.JobTotals, r.ResumedAtLine, line)
	}
}

// TestSummaryInterruptedRunSaysStopped interrupts a run: its log must say
// the sync stopped, and why, never that it finished.
func TestSummaryInterruptedRunSaysStopped(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 2000})
	dir := t.TempDir()
	input := filepath.Join(dir, "calls.csv")
	writeRows(t, input, 2000, 0)
	cmd, errb := startSync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "2/1s",
		"--batch-size", "10", "--log-format", "json", "--progress", "never", input)
	waitFor(t, 20*time.Second, "two batches", func() bool { return srv.Stats().BatchRequests >= 2 })
	cmd.Process.Signal(os.Interrupt)
	if got, _ := waitExit(t, cmd, 20*time.Second); got != exitResumable {
		t.Fatalf("exit status %d, want %d\n%s", got, exitResumable, tail(errb.String()))
	}
	if strings.Contains(errb.String(), "sync finished") {
		t.Errorf("an interrupted run logs \"sync finished\":\n%s", tail(errb.String()))
	}
	if !regexp.MustCompile(`"msg":"sync stopped".*"reason":"interrupted"`).MatchString(errb.String()) {
		t.Errorf("no \"sync stopped\" line with the reason:\n%s", tail(errb.String()))
	}
}

// TestStatusOnFileThatIsNotACheckpoint runs hubsync status on an input, a
// missing file and an empty one: each says what it is, and none advises
// moving the file away.
func TestStatusOnFileThatIsNotACheckpoint(t *testing.T) {
	dir := t.TempDir()
	csvInput := filepath.Join(dir, "calls.csv")
	writeRows(t, csvInput, 3, 0)
	if err := writeFile(csvInput+".checkpoint.json", "{}"); err != nil { // it exists: status suggests it
		t.Fatal(err)
	}
	jsonlInput := filepath.Join(dir, "people.jsonl")
	if err := writeFile(jsonlInput, `{"id":"1","firstname":"Ada"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.json")
	if err := writeFile(empty, ""); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"csv input", csvInput, []string{csvInput + " is not a hubsync checkpoint", "hubsync status " + csvInput + ".checkpoint.json"}},
		{"jsonl input", jsonlInput, []string{jsonlInput + " is not a hubsync checkpoint"}},
		{"empty file", empty, []string{empty + " is empty: not a hubsync checkpoint"}},
		{"missing file", filepath.Join(dir, "nothing.json"), []string{"no checkpoint at " + filepath.Join(dir, "nothing.json")}},
		{"folder", dir, []string{dir + " is a directory, not a checkpoint file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runHubsync(t, "status", tt.path)
			if res.code != exitUsage {
				t.Errorf("exit status %d, want %d", res.code, exitUsage)
			}
			for _, want := range tt.want {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
				}
			}
			if strings.Contains(res.stderr, "move it away") || strings.Contains(res.stderr, "damaged") {
				t.Errorf("status calls a file that is no checkpoint damaged, or advises moving it:\n%s", res.stderr)
			}
		})
	}
}
