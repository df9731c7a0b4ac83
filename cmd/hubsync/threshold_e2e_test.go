package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/emulator"
)

// writeDates writes a CSV of n rows, each updating record i with a
// follow-up date written as date(i).
func writeDates(t *testing.T, n int, date func(i int) string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,follow_up_date\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,%s\n", i, date(i))
	}
	path := filepath.Join(t.TempDir(), "dates.csv")
	if err := writeFile(path, b.String()); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMaxDeadLetters runs files in which most records fail (a date format
// switched to US style): the run must stop with status 6 soon after the
// first thousand records, naming the error code, with the rest unsent and
// the checkpoint unfinished; --max-dead-letters none lets it run to the end
// with status 3. A file shorter than the sample of a percentage runs to its
// end too, and ends with status 6 only when every record failed.
func TestMaxDeadLetters(t *testing.T) {
	usDate := func(int) string { return "12/31/2025" }
	tests := []struct {
		name      string
		rows      int
		date      func(i int) string
		args      []string
		want      int
		wantDead  func(n int) bool
		wantCodes string
	}{
		{name: "every date bad, default limit", rows: 5000, date: usDate, want: exitTooManyFailed,
			wantDead: func(n int) bool { return n >= 1000 && n <= 1000+4*4*100 }, wantCodes: "INVALID_DATE (1"},
		{name: "count limit", rows: 5000, date: usDate, args: []string{"--max-dead-letters", "300"}, want: exitTooManyFailed,
			wantDead: func(n int) bool { return n > 300 && n <= 300+4*4*100 }, wantCodes: "INVALID_DATE ("},
		{name: "no limit", rows: 5000, date: usDate, args: []string{"--max-dead-letters", "none"}, want: exitDeadLetters,
			wantDead: func(n int) bool { return n == 5000 }},
		{name: "a few bad rows", rows: 3000, args: []string{"--max-dead-letters", "10%"}, want: exitDeadLetters,
			date: func(i int) string {
				if i%20 == 0 {
					return "12/31/2025"
				}
				return "2025-12-31"
			},
			wantDead: func(n int) bool { return n == 150 }},
		{name: "short file all bad", rows: 40, date: usDate, want: exitTooManyFailed,
			wantDead: func(n int) bool { return n == 40 }, wantCodes: "INVALID_DATE (40)"},
		{name: "short file all bad, no limit", rows: 40, date: usDate, args: []string{"--max-dead-letters", "none"}, want: exitDeadLetters,
			wantDead: func(n int) bool { return n == 40 }},
		{name: "short file, one good row", rows: 40, want: exitDeadLetters,
			date: func(i int) string {
				if i == 1 {
					return "2025-12-31"
				}
				return "12/31/2025"
			},
			wantDead: func(n int) bool { return n == 39 }},
		{name: "short file, count limit", rows: 40, date: usDate, args: []string{"--max-dead-letters", "0"}, want: exitTooManyFailed,
			wantDead: func(n int) bool { return n >= 1 && n <= 40 }, wantCodes: "INVALID_DATE ("},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Config{SeedIDs: 5000})
			input := writeDates(t, tc.rows, tc.date)
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--log-format", "json"}, tc.args...)
			res := runHubsync(t, append(args, input)...)
			if res.code != tc.want {
				t.Fatalf("exit status %d, want %d; stderr:\n%s", res.code, tc.want, tail(res.stderr))
			}
			dead := readDeadLetters(t, strings.TrimSuffix(input, ".csv")+".dead-letter.csv")
			if !tc.wantDead(len(dead)) {
				t.Errorf("%d dead letters, not what the case wants", len(dead))
			}
			if tc.wantCodes != "" && !strings.Contains(res.stderr, tc.wantCodes) {
				t.Errorf("stderr does not name the error code %q:\n%s", tc.wantCodes, tail(res.stderr))
			}
			if tc.want != exitTooManyFailed {
				return
			}
			if !strings.Contains(res.stderr, "--max-dead-letters none") {
				t.Errorf("stderr does not say how to carry on:\n%s", tail(res.stderr))
			}
			st, err := checkpoint.Load(input + ".checkpoint.json")
			if err != nil {
				t.Fatal(err)
			}
			if tc.rows > 1000 && (st.Complete || st.Watermark.Line > int64(len(dead))+2) {
				t.Errorf("checkpoint complete=%v at line %d, want unfinished and no further than the %d records settled",
					st.Complete, st.Watermark.Line, len(dead))
			}
			// Applied are only the good rows: none here.
			if got := srv.Stats().RecordsApplied; got != 0 {
				t.Errorf("%d records applied, want 0", got)
			}
		})
	}
}

// TestMaxDeadLettersCountsTheJob stops a job at the limit, then resumes it
// with the limit off: the resumed run carries on from the checkpoint and
// every record ends up dead-lettered exactly once.
func TestMaxDeadLettersCountsTheJob(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 3000})
	input := writeDates(t, 3000, func(int) string { return "12/31/2025" })
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--log-format", "json"}
	if res := runHubsync(t, append(args, input)...); res.code != exitTooManyFailed {
		t.Fatalf("first run: exit status %d, want %d; stderr:\n%s", res.code, exitTooManyFailed, tail(res.stderr))
	}
	deadAfterStop := len(readDeadLetters(t, strings.TrimSuffix(input, ".csv")+".dead-letter.csv"))
	// The same command again stops before it reads or sends anything, or
	// asks anything of HubSpot: the job is still over its limit.
	before := srv.Stats().Requests
	res := runHubsync(t, append(args, input)...)
	if res.code != exitTooManyFailed {
		t.Fatalf("second run: exit status %d, want %d; stderr:\n%s", res.code, exitTooManyFailed, tail(res.stderr))
	}
	if n := srv.Stats().Requests - before; n != 0 {
		t.Errorf("second run: %d requests, want none", n)
	}
	if !strings.Contains(res.stderr, "settled by earlier runs of this job") || !strings.Contains(res.stderr, "INVALID_DATE (") {
		t.Errorf("second run does not say the job is over its limit already:\n%s", tail(res.stderr))
	}
	if n := len(readDeadLetters(t, strings.TrimSuffix(input, ".csv")+".dead-letter.csv")); n != deadAfterStop {
		t.Errorf("second run: %d dead letters, want the %d of the first run", n, deadAfterStop)
	}
	res = runHubsync(t, append(args, "--max-dead-letters", "none", input)...)
	if res.code != exitDeadLetters {
		t.Fatalf("third run: exit status %d, want %d; stderr:\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}
	dead := readDeadLetters(t, strings.TrimSuffix(input, ".csv")+".dead-letter.csv")
	if len(dead) != 3000 {
		t.Errorf("%d dead letters, want every one of the 3000 records once", len(dead))
	}
	raw, err := os.ReadFile(input + ".checkpoint.json")
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ Counts checkpoint.Counts }
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	if st.Counts.DeadLettered != 3000 {
		t.Errorf("checkpoint counts %d dead letters, want 3000", st.Counts.DeadLettered)
	}
}
