package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
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
	Hubsync        buildInfo          `json:"hubsync"` // the binary that ran
	RunID          string             `json:"run_id"`  // random, one per run
	Host           string             `json:"host"`
	Input          string             `json:"input"`
	Format         string             `json:"format"`
	Object         string             `json:"object"`
	Settings       reportSettings     `json:"settings"`
	StartedAt      time.Time          `json:"started_at"`
	EndedAt        time.Time          `json:"ended_at"`
	ElapsedSeconds float64            `json:"elapsed_seconds"`
	DryRun         bool               `json:"dry_run,omitempty"` // nothing was sent: counts say what would be
	Resumed        bool               `json:"resumed"`
	ResumedAtLine  int64              `json:"resumed_at_line,omitempty"` // where this run started reading; earlier runs settled the lines before
	Counts         reportCounts       `json:"counts"`                    // this run's
	JobTotals      *checkpoint.Counts `json:"job_totals,omitempty"`      // over every run of the job
	RecordsPerSec  float64            `json:"records_per_sec"`           // records processed (not skipped) per second
	Checkpoint     string             `json:"checkpoint"`
	DeadLetter     string             `json:"dead_letter"`
	SyncState      string             `json:"sync_state,omitempty"` // --only-changed: the folder of the target's state
	Paths          reportPaths        `json:"paths"`                // the same files, absolute
	Mapping        *reportMapping     `json:"mapping,omitempty"`    // once the preflight has passed
	ExitStatus     int                `json:"exit_status"`
	Error          string             `json:"error,omitempty"`
	Warnings       []string           `json:"warnings,omitempty"` // what the run noticed that wants a look

	InputChanged bool `json:"-"` // the run stopped because the input changed: a plain rerun does not resume
	AllFailed    bool `json:"-"` // the job finished with every record failed: a rerun needs --restart
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
	OnlyChanged    bool   `json:"only_changed,omitempty"`
	FullResync     bool   `json:"full_resync,omitempty"`
	RefreshEvery   int    `json:"refresh_every,omitempty"`
}

// reportCounts are what one run did, as the report writes them: a
// rendering of the run's checkpoint.Counts (see newReportCounts), not a
// second set of counters. It is a struct of its own because the report's
// readers and golden files pin names and an order that the checkpoint's
// do not share: skipped, would_apply and requests_needed (a dry run
// applies nothing and sends no write, so Applied and Requests stay 0),
// and dead_by_code written even when empty. unchanged and not_in_file are
// written only by --only-changed runs, so that the reports of other runs
// read as before.
type reportCounts struct {
	Read           int64            `json:"read"`
	Skipped        int64            `json:"skipped"` // read, but settled by an earlier run
	Applied        int64            `json:"applied"`
	Unchanged      *int64           `json:"unchanged,omitempty"`   // --only-changed only: not sent, HubSpot holds these values
	NotInFile      *int64           `json:"not_in_file,omitempty"` // --only-changed, once the whole file was read: records of the sync state not in it (never deleted in HubSpot)
	WouldApply     int64            `json:"would_apply,omitempty"` // dry run only
	DeadLettered   int64            `json:"dead_lettered"`
	DeadByCode     map[string]int64 `json:"dead_by_code"`
	Requests       int64            `json:"requests"`
	RequestsNeeded int64            `json:"requests_needed,omitempty"` // dry run only
	RateLimited    int64            `json:"rate_limited"`
	Retries        int64            `json:"retries"`
	SplitRequests  int64            `json:"split_requests"`
}

// newReportCounts renders c, the counts of a run that skipped skipped of
// the records it read, for the report. The dry run's stand-in for HubSpot
// "applies" what it is given: in a dry run (dryRun) those records would
// apply, and no request went out.
func newReportCounts(c checkpoint.Counts, skipped int64, dryRun bool) reportCounts {
	r := reportCounts{
		Read: c.Read, Skipped: skipped, Applied: c.Applied, DeadLettered: c.DeadLettered, DeadByCode: c.ByCode,
		Requests: c.Requests, RateLimited: c.RateLimited, Retries: c.Retries, SplitRequests: c.Splits,
	}
	if dryRun {
		r.WouldApply, r.Applied = r.Applied, 0
		r.RequestsNeeded, r.Requests = r.Requests, 0
	}
	if r.DeadByCode == nil {
		r.DeadByCode = map[string]int64{}
	}
	return r
}

// reportInput is what a run report is made from.
type reportInput struct {
	Options    syncOptions
	File       string
	Format     source.Format // zero when it was never worked out
	Resumed    bool
	ResumedAt  int64              // the line a resumed run started reading at
	Counts     checkpoint.Counts  // this run's: runCounts of its stats
	Skipped    int64              // of Counts.Read, settled by earlier runs: runSkipped of the stats
	JobTotals  *checkpoint.Counts // nil when there is no checkpoint
	Start, End time.Time
	Checkpoint string
	DeadLetter string
	SyncState  string // --only-changed: the target's state folder, once open
	NotInFile  *int64 // --only-changed: records of the state not in the file, once known
	ExitStatus int
	Err        error
	// Token is only scrubbed from the error text, should an error ever
	// quote it; it is never stored.
	Token    string
	Warnings []string

	// Provenance; fillProvenance fills in what is left out.
	Build   buildInfo
	RunID   string
	Host    string
	Dir     string // the working folder, against which paths are made absolute
	Mapping *reportMapping
}

// newRunReport builds the report of a run.
func newRunReport(in reportInput) runReport {
	fillProvenance(&in)
	o := in.Options
	r := runReport{
		Hubsync: in.Build,
		RunID:   in.RunID,
		Host:    in.Host,
		Paths:   absolutePaths(in),
		Mapping: in.Mapping,
		Input:   in.File,
		Object:  o.Object,
		Settings: reportSettings{
			Object: o.Object, BaseURL: withoutUserinfo(o.BaseURL), IDColumn: o.IDColumn, IDProperty: o.IDProperty,
			BatchSize: o.BatchSize, Workers: o.Workers, Rate: o.Rate, Empty: o.Empty,
			DailyReserve: o.DailyReserve, RequestTimeout: o.RequestTimeout, MaxRecordBytes: o.MaxRecordBytes,
			OnlyChanged: o.OnlyChanged, FullResync: o.FullResync, RefreshEvery: o.RefreshEvery,
		},
		StartedAt:      in.Start.UTC(),
		EndedAt:        in.End.UTC(),
		ElapsedSeconds: math.Round(in.End.Sub(in.Start).Seconds()*1000) / 1000,
		DryRun:         o.DryRun,
		Resumed:        in.Resumed,
		Counts:         newReportCounts(in.Counts, in.Skipped, o.DryRun),
		JobTotals:      in.JobTotals,
		Checkpoint:     in.Checkpoint,
		DeadLetter:     in.DeadLetter,
		ExitStatus:     in.ExitStatus,
		Warnings:       in.Warnings,
	}
	if in.Format != 0 {
		r.Format = in.Format.String()
	}
	if in.Mapping != nil && in.Mapping.idColumn != "" {
		// Without --id-column the ids may come from HubSpot's Record ID.
		r.Settings.IDColumn = in.Mapping.idColumn
	}
	if in.Resumed {
		r.ResumedAtLine = in.ResumedAt
	}
	if o.OnlyChanged {
		unchanged := in.Counts.Unchanged
		r.Counts.Unchanged, r.Counts.NotInFile, r.SyncState = &unchanged, in.NotInFile, in.SyncState
	}
	if r.ElapsedSeconds > 0 {
		r.RecordsPerSec = math.Round(float64(r.Counts.Read-r.Counts.Skipped)/r.ElapsedSeconds*10) / 10
	}
	if in.Err != nil {
		r.InputChanged = errors.Is(in.Err, errInputChanged)
		var all *allFailedError
		r.AllFailed = errors.As(in.Err, &all)
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
func runCounts(s *pipeline.Stats) checkpoint.Counts {
	if s == nil {
		return checkpoint.Counts{}
	}
	return s.Snapshot()
}

// runSkipped is how many of the records a run read were settled by
// earlier runs, from its stats, which may be nil.
func runSkipped(s *pipeline.Stats) int64 {
	if s == nil {
		return 0
	}
	return s.Skipped.Load()
}

// writeReport writes r to path as indented JSON, readable by its owner
// only, atomically: a crash leaves the old file or the new one.
func writeReport(path string, r runReport) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	if err := checkpoint.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
