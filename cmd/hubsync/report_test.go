package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/report")

// reportCases are runs ending each way a sync can end.
func reportCases() []struct {
	name string
	in   reportInput
} {
	opts := defaultSyncOptions()
	opts.Object = "communications"
	opts.BaseURL = "http://127.0.0.1:8080"
	opts.Rate = "190/10s"
	opts.DailyReserve = "10%"
	opts.TokenFile = "/home/ops/.config/hubsync/token"
	start := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	base := reportInput{
		Options: opts, File: "calls.csv", Format: source.CSV,
		Start: start, End: start.Add(62500 * time.Millisecond),
		Checkpoint: "calls.csv.checkpoint.json", DeadLetter: "calls.dead-letter.csv",
		Build: buildInfo{Version: "v1.4.0", Revision: "84a5ee0ec995c8c8e9c9f512402812f11102bc20", CommitTime: "2025-02-28T17:00:00Z",
			GoVersion: "go1.26.8", Platform: "linux/amd64"},
		RunID: "3f1c2a9e-8d4b-4f6a-9c1e-2b7d5e8f0a13", Host: "batch-01", Dir: "/srv/hubsync",
	}
	with := func(f func(*reportInput)) reportInput {
		in := base
		f(&in)
		return in
	}
	return []struct {
		name string
		in   reportInput
	}{{
		name: "complete",
		in: with(func(in *reportInput) {
			in.Options.Report = "/var/log/hubsync/last.json"
			in.Mapping = &reportMapping{Columns: map[string]string{"Body": "hs_communication_body", "hs_communication_channel_type": "hs_communication_channel_type"},
				Constants: map[string]string{"hs_communication_logged_from": "CRM"}, Ignored: []string{"Notes"}, IgnoreUnmapped: true, Preflight: true}
			in.Counts = checkpoint.Counts{Read: 30000, Applied: 30000, Requests: 300}
			in.JobTotals = &checkpoint.Counts{Read: 30000, Applied: 30000, Requests: 300}
		}),
	}, {
		name: "dead_letters",
		in: with(func(in *reportInput) {
			in.Counts = checkpoint.Counts{Read: 30000, Applied: 29997, DeadLettered: 3, Requests: 312,
				RateLimited: 4, Retries: 2, Splits: 6, ByCode: map[string]int64{"OBJECT_NOT_FOUND": 2, "INVALID_DATE": 1}}
			in.JobTotals = &checkpoint.Counts{Read: 30000, Applied: 29997, DeadLettered: 3, Requests: 312,
				RateLimited: 4, Retries: 2, Splits: 6, ByCode: map[string]int64{"OBJECT_NOT_FOUND": 2, "INVALID_DATE": 1}}
			in.ExitStatus = exitDeadLetters
		}),
	}, {
		name: "interrupted_resumed",
		in: with(func(in *reportInput) {
			in.Resumed, in.ResumedAt = true, 10001
			in.Counts = checkpoint.Counts{Read: 10120, Applied: 9900, DeadLettered: 1,
				ByCode: map[string]int64{"MALFORMED_ROW": 1}, Requests: 99, RateLimited: 1}
			in.Skipped = 120
			in.JobTotals = &checkpoint.Counts{Read: 20000, Applied: 19998, DeadLettered: 2, Requests: 200,
				RateLimited: 1, ByCode: map[string]int64{"MALFORMED_ROW": 2}}
			in.ExitStatus = exitResumable
			in.Err = resumableError{err: pipeline.ErrInterrupted, hint: "every record before line 20001 of calls.csv is settled; progress is saved in calls.csv.checkpoint.json.\nRun the same command again to carry on from there."}
		}),
	}, {
		// The earlier run dead-lettered 4 records, this one 2: the file
		// holds 6, and the summary says so.
		name: "resumed_dead_letters",
		in: with(func(in *reportInput) {
			in.Resumed, in.ResumedAt = true, 15002
			in.Counts = checkpoint.Counts{Read: 15000, Applied: 14998, DeadLettered: 2,
				ByCode: map[string]int64{"OBJECT_NOT_FOUND": 2}, Requests: 150}
			in.JobTotals = &checkpoint.Counts{Read: 30000, Applied: 29994, DeadLettered: 6, Requests: 300,
				ByCode: map[string]int64{"OBJECT_NOT_FOUND": 5, "INVALID_DATE": 1}}
			in.ExitStatus = exitDeadLetters
		}),
	}, {
		// The pipeline of a dry run counts what its stand-in for HubSpot
		// "applied" and the requests it was given; nothing was sent.
		name: "dry_run",
		in: with(func(in *reportInput) {
			in.Options.DryRun = true
			in.Checkpoint, in.DeadLetter = "", "calls.dry-run.dead-letter.csv"
			in.Counts = checkpoint.Counts{Read: 30000, Applied: 29990, DeadLettered: 10, Requests: 300,
				ByCode: map[string]int64{"INVALID_NUMBER": 10}}
			in.ExitStatus = exitDeadLetters
		}),
	}, {
		name: "dry_run_clean",
		in: with(func(in *reportInput) {
			in.Options.DryRun = true
			in.Checkpoint, in.DeadLetter = "", "calls.dry-run.dead-letter.csv"
			in.Counts = checkpoint.Counts{Read: 1, Applied: 1, Requests: 1}
		}),
	}, {
		name: "fatal",
		in: with(func(in *reportInput) {
			in.Counts = checkpoint.Counts{Read: 400, Requests: 1}
			in.JobTotals = &checkpoint.Counts{}
			in.ExitStatus = exitFatal
			in.Err = fmt.Errorf("send batch 1: %w", &sink.APIError{StatusCode: 401, Category: "INVALID_AUTHENTICATION",
				Message: "Authentication credentials not found.", CorrelationID: "9d3f-41c2"})
		}),
	}, {
		// The dead letters went over --max-dead-letters: the summary says
		// so in the error's own words, and what to do next.
		name: "too_many_failed",
		in: with(func(in *reportInput) {
			in.Counts = checkpoint.Counts{Read: 1000, Applied: 400, DeadLettered: 600, Requests: 16,
				ByCode: map[string]int64{"INVALID_DATE": 590, "OBJECT_NOT_FOUND": 10}}
			in.JobTotals = &checkpoint.Counts{Read: 1000, Applied: 400, DeadLettered: 600, Requests: 16,
				ByCode: map[string]int64{"INVALID_DATE": 590, "OBJECT_NOT_FOUND": 10}}
			in.ExitStatus = exitTooManyFailed
			in.Err = resumableError{err: &pipeline.StopError{Reason: "stopped", Err: fmt.Errorf(
				"%w: 600 of the 1000 records settled so far are in the dead-letter file, over the limit of 50%%; most common errors: INVALID_DATE 590, OBJECT_NOT_FOUND 10",
				pipeline.ErrTooManyDeadLetters)}, hint: tooManyFailedHint(1001, "calls.csv", "calls.csv.checkpoint.json", "calls.dead-letter.csv")}
		}),
	}, {
		// A nightly load with --only-changed: most records were
		// unchanged and not sent; some of the state's records were not
		// in this night's file.
		name: "only_changed",
		in: with(func(in *reportInput) {
			in.Options.OnlyChanged = true
			in.Counts = checkpoint.Counts{Read: 100000, Applied: 1000, Unchanged: 98900, DeadLettered: 100, Requests: 24, Splits: 14,
				ByCode: map[string]int64{"INVALID_DATE": 100}}
			in.JobTotals = &in.Counts
			in.SyncState = "/var/lib/hubsync/state/12345678-communications-id-0a1b2c3d"
			notInFile := int64(12)
			in.NotInFile = &notInFile
			in.ExitStatus = exitDeadLetters
		}),
	}, {
		name: "only_changed_unchanged_night",
		in: with(func(in *reportInput) {
			in.Options.OnlyChanged = true
			in.Counts = checkpoint.Counts{Read: 100000, Unchanged: 100000}
			in.JobTotals = &in.Counts
			in.SyncState = "/var/lib/hubsync/state/12345678-communications-id-0a1b2c3d"
			notInFile := int64(0)
			in.NotInFile = &notInFile
		}),
	}, {
		name: "dry_run_only_changed",
		in: with(func(in *reportInput) {
			in.Options.DryRun, in.Options.OnlyChanged = true, true
			in.Checkpoint, in.DeadLetter = "", "calls.dry-run.dead-letter.csv"
			in.Counts = checkpoint.Counts{Read: 30000, Applied: 290, Unchanged: 29700, DeadLettered: 10, Requests: 3,
				ByCode: map[string]int64{"INVALID_NUMBER": 10}}
			in.SyncState = "/var/lib/hubsync/state/12345678-communications-id-0a1b2c3d"
			in.ExitStatus = exitDeadLetters
		}),
	}, {
		name: "usage",
		in: with(func(in *reportInput) {
			in.Format = 0
			in.Checkpoint, in.DeadLetter = "", ""
			in.End = start.Add(3 * time.Millisecond)
			in.ExitStatus = exitUsage
			in.Err = usageError{errors.New("no access token: set HUBSPOT_ACCESS_TOKEN to a private app token, or pass --token-file FILE")}
		}),
	}}
}

func TestReportGolden(t *testing.T) {
	for _, tt := range reportCases() {
		t.Run(tt.name, func(t *testing.T) {
			r := newRunReport(tt.in)
			path := filepath.Join(t.TempDir(), "report.json")
			if err := writeReport(path, r); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "report", tt.name+".json"), data)

			var summary bytes.Buffer
			printSummary(&summary, r)
			checkGolden(t, filepath.Join("testdata", "report", tt.name+".summary.txt"), summary.Bytes())
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestReportNeverHoldsTheToken(t *testing.T) {
	const token = "pat-na1-11111111-2222-3333-4444-555555555555"
	t.Setenv("HUBSPOT_ACCESS_TOKEN", token)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := writeFile(tokenFile, token+"\n"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range reportCases() {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Options.TokenFile = tokenFile
			in.Token = token
			// An error that quotes the token, as a proxy echoing the
			// request might.
			in.Err = fmt.Errorf("send batch 7: %w", &sink.APIError{StatusCode: 401,
				Message: "invalid header Authorization: Bearer " + token})
			r := newRunReport(in)
			path := filepath.Join(dir, tt.name+".json")
			if err := writeReport(path, r); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var summary bytes.Buffer
			printSummary(&summary, r)
			for what, text := range map[string]string{"report": string(data), "summary": summary.String()} {
				if strings.Contains(text, token) || strings.Contains(text, "11111111-2222") {
					t.Errorf("the %s holds the token:\n%s", what, text)
				}
			}
			if want := "Bearer [token]"; !strings.Contains(r.Error, want) {
				t.Errorf("error %q does not say %q", r.Error, want)
			}
		})
	}
}

func TestWriteReport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.json")
	r := newRunReport(reportCases()[1].in)
	for range 2 { // the second write replaces the first
		if err := writeReport(path, r); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := st.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode %v, want 0600", mode)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got runReport
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("files left in %s: %v, want only run.json", dir, entries)
	}

	if err := writeReport(filepath.Join(dir, "missing", "run.json"), r); err == nil {
		t.Error("writeReport into a missing folder succeeded")
	}
}

func TestReportRunCounts(t *testing.T) {
	if diff := cmp.Diff(checkpoint.Counts{}, runCounts(nil)); diff != "" {
		t.Errorf("runCounts(nil) (-want +got):\n%s", diff)
	}
	if n := runSkipped(nil); n != 0 {
		t.Errorf("runSkipped(nil) = %d, want 0", n)
	}
	s := &pipeline.Stats{}
	s.Read.Store(1)
	s.Skipped.Store(2)
	s.Applied.Store(3)
	s.DeadLettered.Store(4)
	s.Requests.Store(5)
	s.RateLimited.Store(6)
	s.Retries.Store(7)
	s.Splits.Store(8)
	want := checkpoint.Counts{Read: 1, Applied: 3, DeadLettered: 4, Requests: 5, RateLimited: 6, Retries: 7, Splits: 8}
	if diff := cmp.Diff(want, runCounts(s)); diff != "" {
		t.Errorf("runCounts (-want +got):\n%s", diff)
	}
	if n := runSkipped(s); n != 2 {
		t.Errorf("runSkipped = %d, want 2", n)
	}
}

// TestNewReportCounts: the report renders a run's counts under its own
// names; a dry run's applied records and requests are what would be.
func TestNewReportCounts(t *testing.T) {
	c := checkpoint.Counts{Read: 10, Applied: 6, DeadLettered: 2, Requests: 3, RateLimited: 1, Retries: 4, Splits: 5,
		ByCode: map[string]int64{"INVALID_DATE": 2}}
	tests := []struct {
		name    string
		c       checkpoint.Counts
		skipped int64
		dryRun  bool
		want    reportCounts
	}{{
		name: "nothing",
		want: reportCounts{DeadByCode: map[string]int64{}},
	}, {
		name: "run", c: c, skipped: 2,
		want: reportCounts{Read: 10, Skipped: 2, Applied: 6, DeadLettered: 2, DeadByCode: map[string]int64{"INVALID_DATE": 2},
			Requests: 3, RateLimited: 1, Retries: 4, SplitRequests: 5},
	}, {
		name: "dry run", c: c, dryRun: true,
		want: reportCounts{Read: 10, WouldApply: 6, DeadLettered: 2, DeadByCode: map[string]int64{"INVALID_DATE": 2},
			RequestsNeeded: 3, RateLimited: 1, Retries: 4, SplitRequests: 5},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, newReportCounts(tt.c, tt.skipped, tt.dryRun)); diff != "" {
				t.Errorf("newReportCounts (-want +got):\n%s", diff)
			}
		})
	}
}
