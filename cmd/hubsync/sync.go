package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/sink/deadletter"
	"github.com/hubsync/hubsync/source"
)

var _ pipeline.Sender = (*sink.Client)(nil)
var _ pipeline.DeadLetters = (*deadletter.Writer)(nil)

const syncUsage = `Usage: hubsync sync [flags] FILE

Updates existing HubSpot records from FILE (CSV with a header row, or JSON
Lines) through POST /crm/v3/objects/{object}/batch/update, at most 100 records
a request, within the account's rolling rate limit. Every record ends up
either applied in HubSpot or in the dead-letter file with the reason.

The access token comes from $HUBSPOT_ACCESS_TOKEN, or from --token-file.
It is never taken from a flag value and never logged.

Examples:
  # nightly load of communications, ids in the "id" column
  hubsync sync --object communications calls.csv

  # contacts addressed by a unique property, from JSON Lines
  hubsync sync --object contacts --id-property external_id --id-column external_id people.jsonl

  # settings from a config file; flags override it
  hubsync sync --config configs/communications.yaml --workers 2 calls.csv

  # a nightly full export: send only the records that changed since HubSpot
  # last confirmed them (see 'hubsync state --help')
  hubsync sync --object communications --only-changed calls-2026-12-01.csv

  # against the local emulator (see 'hubsync emulator --help')
  hubsync sync --base-url http://127.0.0.1:8080 --object communications calls.csv

Exit status (decided in one place; see the README for what a scheduler
should do with each):
  0  every record applied
  1  fatal error: bad token, missing scope, a property HubSpot refuses,
     I/O error; fix it, then rerun (it resumes)
  2  usage or configuration error, nothing sent: a bad flag or config, a
     --base-url that leads nowhere on the first request (unknown host,
     connection refused, TLS error, 404), an unknown --object, CSV columns
     or JSON Lines keys that are no properties, another run of the job in
     progress (or, with --only-changed, on the same target), a new input
     over an unfinished job
  3  finished, some records in the dead-letter file
  4  stopped before the end, progress saved: interrupted, HubSpot
     unavailable, daily limit or --daily-reserve; rerun the same command.
     Also: the input changed while it was read; rerun once the export
     has finished
  5  the input held no records (an empty file, or a CSV header alone:
     check the export that wrote it)
  6  stopped: too many records failed (--max-dead-letters, by default more
     than half of the first 1,000 records or more; or whole batches
     rejected record by record; or every record of the job failed);
     progress saved, fix the cause first

Flags:
`

// runSync is the sync command.
func runSync(ctx context.Context, args []string, e env) int {
	opts, file, err := parseSyncArgs(args, e.stderr)
	err = withFlagSuggestion(err)
	if errors.Is(err, pflag.ErrHelp) {
		return exitOK
	}
	if err == nil {
		err = checkBeforeStart(opts, file) // before the report too: it may be one of the culprits
	}
	if err == nil {
		err = checkSettings(opts) // before any request: a typo costs no API call
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "hubsync sync: %v\nRun 'hubsync sync --help' for the flags.\n", err)
		return exitUsage
	}
	mode, err := parseProgressMode(opts.Progress)
	if err != nil {
		fmt.Fprintf(e.stderr, "hubsync sync: %v\n", err)
		return exitUsage
	}
	out := newProgressOutput(e.stderr)
	log, err := newLogger(opts.LogFormat, opts.LogLevel, out)
	if err != nil {
		fmt.Fprintf(e.stderr, "hubsync sync: %v\n", err)
		return exitUsage
	}
	defer func() { _ = log.Sync() }()

	start := time.Now()
	res, err := syncFile(ctx, syncRequest{o: opts, file: file, args: args, env: e, log: log,
		progress: func(stats *pipeline.Stats, total, from int64) func() {
			return startProgress(mode, opts.DryRun, out, isTerminal(e.stderr), total, from, stats, log, progressLogEvery)
		}})
	err = opts.rewordPreflight(err)
	code := exitCode(err, res.deadLettered())
	r := newRunReport(reportInput{Options: opts, File: file, Format: res.format, Resumed: res.resumed, ResumedAt: res.fromLine,
		Counts: runCounts(res.stats), Skipped: runSkipped(res.stats), JobTotals: res.totals(), Start: start, End: time.Now(),
		Checkpoint: res.checkpoint, DeadLetter: res.deadLetter, SyncState: res.syncState, NotInFile: res.notInFile,
		ExitStatus: code, Err: err, Token: res.token,
		Warnings: res.warnings, Mapping: res.mapping})
	if opts.Report != "" {
		if werr := writeReport(opts.Report, r); werr != nil {
			fmt.Fprintf(e.stderr, "hubsync sync: write the report: %v\n", werr)
		}
	}
	switch {
	case res.stats == nil && err != nil:
		// Nothing ran: the error is the whole story.
		fmt.Fprintf(e.stderr, "hubsync sync: %v\n", err)
	case res.stats != nil:
		printSummary(e.stderr, r)
		if err != nil {
			// The summary shows the error's first line; say the rest.
			if _, rest, ok := strings.Cut(err.Error(), "\n"); ok {
				fmt.Fprintln(e.stderr, rest)
			}
		}
	}
	if hint := advice(err); hint != "" {
		fmt.Fprintf(e.stderr, "hubsync sync: %s\n", hint)
	}
	return code
}

// syncResult is what a sync leaves for its report.
type syncResult struct {
	format     source.Format
	stats      *pipeline.Stats // nil until the pipeline exists
	job        *checkpoint.Job // nil for a dry run
	resumed    bool
	fromLine   int64 // the line a resumed run starts reading at
	checkpoint string
	deadLetter string
	token      string
	warnings   []string       // for the summary and the report
	mapping    *reportMapping // once the preflight has passed
	syncState  string         // --only-changed: the target's state folder, once open
	notInFile  *int64         // --only-changed: records of the state the file did not hold, once the state is saved
}

// deadLettered counts the records of the whole job (all runs) that are in
// the dead-letter file, so that a resumed run of a job with dead letters,
// or a rerun of a finished one, still ends with status 3.
func (r *syncResult) deadLettered() int64 {
	if t := r.totals(); t != nil {
		return t.DeadLettered
	}
	if r.job != nil && r.job.Complete() {
		return r.job.State().Counts.DeadLettered // a rerun of a finished job
	}
	if r.stats != nil {
		return r.stats.DeadLettered.Load()
	}
	return 0
}

func (r *syncResult) totals() *checkpoint.Counts {
	if r.job == nil || r.stats == nil {
		return nil
	}
	c := r.job.Totals(jobCounts(r.stats))
	return &c
}

// parseSyncArgs reads the config file named by --config, if any, then the
// flags over it, and checks the result.
func parseSyncArgs(args []string, stderr io.Writer) (syncOptions, string, error) {
	newFlags := func(o *syncOptions, config *string) *pflag.FlagSet {
		fs := pflag.NewFlagSet("sync", pflag.ContinueOnError)
		fs.SetOutput(stderr)
		fs.SortFlags = false
		fs.StringVar(config, "config", "", "YAML `FILE` with these settings (keys as the flag names, with _ for -); flags override it")
		bindSyncFlags(fs, o)
		fs.Usage = func() {
			fmt.Fprint(stderr, syncUsage)
			fs.PrintDefaults()
		}
		return fs
	}

	opts := defaultSyncOptions()
	var config string
	fs := newFlags(&opts, &config)
	if err := fs.Parse(args); err != nil {
		return opts, "", err
	}
	if config != "" {
		opts = defaultSyncOptions()
		if err := loadConfigFile(config, &opts); err != nil {
			return opts, "", err
		}
		fs = newFlags(&opts, &config)
		fs.Usage = func() {}
		if err := fs.Parse(args); err != nil {
			return opts, "", err
		}
	}
	opts.src.typed = typedFlags(fs)
	if fs.NArg() != 1 {
		return opts, "", fmt.Errorf("want exactly one input FILE, got %d arguments", fs.NArg())
	}
	if opts.Object == "" {
		return opts, "", errors.New("--object is required (communications, contacts, 0-18, 2-123, …)")
	}
	return opts, fs.Arg(0), nil
}

// logSummary logs how the run ended: "sync finished", or "sync stopped"
// with the reason when err ended it early. A resumed run adds the totals
// of the whole job, job.
func logSummary(log *zap.Logger, s *pipeline.Stats, elapsed time.Duration, dlPath string, err error, job *checkpoint.Counts, resumed bool) {
	c := s.Snapshot()
	perSec := 0.0
	if elapsed > 0 {
		perSec = float64(c.Read) / elapsed.Seconds()
	}
	fields := append(countFields(c),
		zap.Int64("split_requests", c.Splits),
		zap.Duration("elapsed", elapsed.Round(time.Millisecond)),
		zap.Float64("records_per_sec", float64(int64(perSec*10))/10),
	)
	if c.DeadLettered > 0 {
		fields = append(fields, zap.Any("dead_by_code", c.ByCode))
	}
	if job != nil && resumed {
		fields = append(fields, zap.Int64("job_applied", job.Applied), zap.Int64("job_dead_lettered", job.DeadLettered))
		if job.Unchanged > 0 {
			fields = append(fields, zap.Int64("job_unchanged", job.Unchanged))
		}
		if len(job.ByCode) > 0 {
			fields = append(fields, zap.Any("job_dead_by_code", job.ByCode))
		}
	}
	if c.DeadLettered > 0 || (job != nil && job.DeadLettered > 0) {
		fields = append(fields, zap.String("dead_letter", dlPath))
	}
	if err != nil {
		reason, _, _ := strings.Cut(err.Error(), "\n")
		log.Info("sync stopped", append(fields, zap.String("reason", reason))...)
		return
	}
	log.Info("sync finished", fields...)
}
