package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/source"
)

// runReport is what --report writes at the end of a run: what was synced,
// with which settings, and how it went. It holds no secret: no field can
// carry the token, and the token is scrubbed from the error text.
type runReport struct {
	Input          string             `json:"input"`
	Format         string             `json:"format"`
	Object         string             `json:"object"`
	Settings       reportSettings     `json:"settings"`
	StartedAt      time.Time          `json:"started_at"`
	EndedAt        time.Time          `json:"ended_at"`
	ElapsedSeconds float64            `json:"elapsed_seconds"`
	Resumed        bool               `json:"resumed"`
	Counts         reportCounts       `json:"counts"`               // this run's
	JobTotals      *checkpoint.Counts `json:"job_totals,omitempty"` // over every run of the job
	RecordsPerSec  float64            `json:"records_per_sec"`      // records processed (not skipped) per second
	Checkpoint     string             `json:"checkpoint"`
	DeadLetter     string             `json:"dead_letter"`
	ExitStatus     int                `json:"exit_status"`
	Error          string             `json:"error,omitempty"`
	Warnings       []string           `json:"warnings,omitempty"` // what the run noticed that wants a look
}

// reportSettings are the run's settings. There is deliberately no token
// and no token file here.
type reportSettings struct {
	Object         string `json:"object"`
	BaseURL        string `json:"base_url"`
	IDColumn       string `json:"id_column"`
	IDProperty     string `json:"id_property"`
	BatchSize      int    `json:"batch_size"`
	Workers        int    `json:"workers"`
	Rate           string `json:"rate"`
	Empty          string `json:"empty"`
	DailyReserve   string `json:"daily_reserve"`
	RequestTimeout string `json:"request_timeout"`
	MaxRecordBytes int    `json:"max_record_bytes"`
}

// reportCounts are what one run did.
type reportCounts struct {
	Read          int64            `json:"read"`
	Skipped       int64            `json:"skipped"` // read, but settled by an earlier run
	Applied       int64            `json:"applied"`
	DeadLettered  int64            `json:"dead_lettered"`
	DeadByCode    map[string]int64 `json:"dead_by_code"`
	Requests      int64            `json:"requests"`
	RateLimited   int64            `json:"rate_limited"`
	Retries       int64            `json:"retries"`
	SplitRequests int64            `json:"split_requests"`
}

// reportInput is what a run report is made from.
type reportInput struct {
	Options    syncOptions
	File       string
	Format     source.Format // zero when it was never worked out
	Resumed    bool
	Counts     reportCounts       // runCounts of the run's stats
	JobTotals  *checkpoint.Counts // nil when there is no checkpoint
	Start, End time.Time
	Checkpoint string
	DeadLetter string
	ExitStatus int
	Err        error
	// Token is only scrubbed from the error text, should an error ever
	// quote it; it is never stored.
	Token    string
	Warnings []string
}

// newRunReport builds the report of a run.
func newRunReport(in reportInput) runReport {
	o := in.Options
	r := runReport{
		Input:  in.File,
		Object: o.Object,
		Settings: reportSettings{
			Object: o.Object, BaseURL: withoutUserinfo(o.BaseURL), IDColumn: o.IDColumn, IDProperty: o.IDProperty,
			BatchSize: o.BatchSize, Workers: o.Workers, Rate: o.Rate, Empty: o.Empty,
			DailyReserve: o.DailyReserve, RequestTimeout: o.RequestTimeout, MaxRecordBytes: o.MaxRecordBytes,
		},
		StartedAt:      in.Start.UTC(),
		EndedAt:        in.End.UTC(),
		ElapsedSeconds: math.Round(in.End.Sub(in.Start).Seconds()*1000) / 1000,
		Resumed:        in.Resumed,
		Counts:         in.Counts,
		JobTotals:      in.JobTotals,
		Checkpoint:     in.Checkpoint,
		DeadLetter:     in.DeadLetter,
		ExitStatus:     in.ExitStatus,
		Warnings:       in.Warnings,
	}
	if in.Format != 0 {
		r.Format = in.Format.String()
	}
	if r.Counts.DeadByCode == nil {
		r.Counts.DeadByCode = map[string]int64{}
	}
	if r.ElapsedSeconds > 0 {
		r.RecordsPerSec = math.Round(float64(r.Counts.Read-r.Counts.Skipped)/r.ElapsedSeconds*10) / 10
	}
	if in.Err != nil {
		r.Error = in.Err.Error()
		if in.Token != "" {
			r.Error = strings.ReplaceAll(r.Error, in.Token, "[token]")
		}
		if o.BaseURL != r.Settings.BaseURL {
			r.Error = strings.ReplaceAll(r.Error, o.BaseURL, r.Settings.BaseURL)
		}
	}
	return r
}

// runCounts are the counts of a run from its stats, which may be nil when
// it stopped before the pipeline existed.
func runCounts(s *pipeline.Stats) reportCounts {
	if s == nil {
		return reportCounts{}
	}
	return reportCounts{
		Read: s.Read.Load(), Skipped: s.Skipped.Load(),
		Applied: s.Applied.Load(), DeadLettered: s.DeadLettered.Load(), DeadByCode: s.DeadByCode(),
		Requests: s.Requests.Load(), RateLimited: s.RateLimited.Load(),
		Retries: s.Retries.Load(), SplitRequests: s.Splits.Load(),
	}
}

// writeReport writes r to path as indented JSON, readable by its owner
// only, atomically: a crash leaves the old file or the new one.
func writeReport(path string, r runReport) (err error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("write report: sync %s: %w", dir, err)
	}
	return nil
}

// printSummary writes the report's numbers for a person, in a few lines.
func printSummary(w io.Writer, r runReport) {
	c := r.Counts
	fmt.Fprintf(w, "sync of %s into %s: %s (exit status %d)\n", r.Input, r.Object, outcome(r), r.ExitStatus)
	if r.ExitStatus == exitUsage {
		return
	}
	run := fmt.Sprintf("%s records in %s, %s records/s", group(c.Read-c.Skipped), elapsedText(r.ElapsedSeconds), perSecond(r.RecordsPerSec))
	if r.Resumed {
		run += fmt.Sprintf("; resumed, skipping %s records an earlier run settled", group(c.Skipped))
	}
	fmt.Fprintf(w, "  this run:     %s\n", run)
	fmt.Fprintf(w, "  records:      %s applied, %s dead-lettered\n", group(c.Applied), group(c.DeadLettered))
	fmt.Fprintf(w, "  requests:     %s (%s answered 429, %s retries, %s to split rejected batches)\n",
		group(c.Requests), group(c.RateLimited), group(c.Retries), group(c.SplitRequests))
	if t := r.JobTotals; t != nil && r.Resumed {
		fmt.Fprintf(w, "  all runs:     %s applied, %s dead-lettered\n", group(t.Applied), group(t.DeadLettered))
	}
	if len(c.DeadByCode) > 0 {
		codes := slices.Sorted(maps.Keys(c.DeadByCode))
		parts := make([]string, len(codes))
		for i, k := range codes {
			parts[i] = k + " " + group(c.DeadByCode[k])
		}
		fmt.Fprintf(w, "  dead letters: %s, in %s\n", strings.Join(parts, ", "), r.DeadLetter)
	}
	fmt.Fprintf(w, "  checkpoint:   %s\n", r.Checkpoint)
	for _, warning := range r.Warnings {
		fmt.Fprintf(w, "  warning:      %s\n", warning)
	}
	switch r.ExitStatus {
	case exitFatal:
		fmt.Fprintf(w, "  next:         fix the cause, then run the same command again; it resumes from the checkpoint\n")
	case exitDeadLetters:
		fmt.Fprintf(w, "  next:         fix the records in %s, then sync that file\n", r.DeadLetter)
	case exitResumable:
		fmt.Fprintf(w, "  next:         run the same command again; it resumes from the checkpoint\n")
	case exitNoRecords:
		fmt.Fprintf(w, "  next:         check the export that wrote the input: an empty input is not a successful sync\n")
	}
}

// outcome says in words how the run ended, as its exit status does.
func outcome(r runReport) string {
	firstLine, _, _ := strings.Cut(r.Error, "\n")
	switch r.ExitStatus {
	case exitOK:
		return "complete, every record applied"
	case exitDeadLetters:
		return fmt.Sprintf("complete, %s records in the dead-letter file", group(r.Counts.DeadLettered))
	case exitResumable:
		return "stopped before the end: " + firstLine
	case exitUsage:
		return "not started: " + firstLine
	case exitNoRecords:
		return "finished, but the input held no records"
	}
	return "stopped by an error: " + firstLine
}

// elapsedText is a run's duration to the tenth of a second under a
// minute, to the second above.
func elapsedText(seconds float64) string {
	d := time.Duration(seconds * float64(time.Second))
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// perSecond is a rate with one decimal below 100, none above.
func perSecond(r float64) string {
	if r < 100 {
		return fmt.Sprintf("%.1f", r)
	}
	return group(int64(r + 0.5))
}

// group is n with thousands separated: 12,345.
func group(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
