package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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
     progress, a new input over an unfinished job
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

	res := &syncResult{start: time.Now()}
	err = syncFile(ctx, opts, file, args, e, log, res, func(stats *pipeline.Stats, total, from int64) func() {
		return startProgress(mode, opts.DryRun, out, isTerminal(e.stderr), total, from, stats, log, progressLogEvery)
	})
	err = opts.rewordPreflight(err)
	code := exitCode(err, res.deadLettered())
	r := newRunReport(reportInput{Options: opts, File: file, Format: res.format, Resumed: res.resumed, ResumedAt: res.fromLine,
		Counts: runCounts(res.stats), Skipped: runSkipped(res.stats), JobTotals: res.totals(), Start: res.start, End: time.Now(),
		Checkpoint: res.checkpoint, DeadLetter: res.deadLetter, ExitStatus: code, Err: err, Token: res.token,
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

// syncResult is what a sync leaves for its report, filled in as it goes.
type syncResult struct {
	start      time.Time
	format     source.Format
	stats      *pipeline.Stats // nil until the pipeline exists
	job        *job            // nil for a dry run
	resumed    bool
	fromLine   int64 // the line a resumed run starts reading at
	checkpoint string
	deadLetter string
	token      string
	warnings   []string       // for the summary and the report
	mapping    *reportMapping // once the preflight has passed
}

// deadLettered counts the records of the whole job (all runs) that are in
// the dead-letter file, so that a resumed run of a job with dead letters,
// or a rerun of a finished one, still ends with status 3.
func (r *syncResult) deadLettered() int64 {
	if t := r.totals(); t != nil {
		return t.DeadLettered
	}
	if r.job != nil && r.job.state.Complete {
		return r.job.state.Counts.DeadLettered // a rerun of a finished job
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
	c := r.job.counts()
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

// progressFunc starts the progress display of a run over an input of total
// bytes from offset from; it returns the function that stops it.
type progressFunc func(stats *pipeline.Stats, total, from int64) (stop func())

// syncFile runs one sync of file, filling in res as it goes.
func syncFile(ctx context.Context, o syncOptions, file string, args []string, e env, log *zap.Logger, res *syncResult, progress progressFunc) (retErr error) {
	pl, err := newPlan(o, file)
	if err == nil {
		err = checkJobOptions(o)
	}
	var deadLimit *pipeline.DeadLetterLimit
	if err == nil {
		deadLimit, err = parseMaxDeadLetters(o.MaxDeadLetters)
	}
	if err != nil {
		return usageError{err}
	}
	res.format = pl.format
	token, err := readToken(o.TokenFile, e.getenv, log)
	if err != nil {
		return usageError{err}
	}
	res.token = token
	client, err := newClient(o, token)
	if err != nil {
		return usageError{err}
	}
	f, err := openInput(file)
	if err != nil {
		return usageError{err}
	}
	defer f.Close()
	fp, err := checkpoint.Fingerprint(f, file)
	if err != nil {
		return usageError{err}
	}
	in := inputRead(ctx, e.interrupt, f, fp)
	if err := pl.inspectInput(in, log); err != nil {
		return readerError(file, err)
	}
	defer func() { retErr = checkInputAtEnd(retErr, f, fp, o.DryRun, log, res) }()
	if o.DryRun {
		// A dry run keeps no checkpoint: it locks its own dead-letter file,
		// and so may run beside the real job.
		dryDL := dryRunDeadLetterPath(o, file, pl.format)
		lock, err := lockJob(dryDL, o, file, log)
		if err != nil {
			return usageError{err}
		}
		defer lock.Close()
		return dryRun(ctx, pl, dryDL, client, in, fp.Size, e, log, res, progress)
	}
	cpPath := o.Checkpoint
	if cpPath == "" {
		cpPath = file + ".checkpoint.json"
	}
	dlPath := o.DeadLetter
	if dlPath == "" {
		dlPath = defaultDeadLetterPath(file, pl.format)
	}
	res.checkpoint, res.deadLetter = cpPath, dlPath
	// Before the checkpoint is read or any file moved or written.
	lock, err := lockJob(cpPath, o, file, log)
	if err != nil {
		return usageError{err}
	}
	defer lock.Close()
	dlLock, err := lockDeadLetter(dlPath, o, file)
	if err != nil {
		return usageError{err}
	}
	defer dlLock.Close()
	j, resumed, err := openJob(cpPath, dlPath, fp, pl.settings(), o.Restart, o.OnNewInput, append([]string{"hubsync", "sync"}, args...))
	if errors.Is(err, errComplete) {
		// The rerun ends as the job did (see syncResult.deadLettered): a
		// scheduler that retries until status 0 must not take a job with
		// dead letters for a clean one the second time round.
		res.job = j
		dead := ""
		if n := j.state.Counts.DeadLettered; n > 0 {
			dead = fmt.Sprintf(", with %d records in the dead-letter file %s", n, j.state.DeadLetterPath)
		}
		fmt.Fprintf(e.stderr, "hubsync sync: %s is already complete (checkpoint %s, finished %s)%s; pass --restart to run it again\n",
			file, cpPath, j.state.UpdatedAt.Local().Format(time.DateTime), dead)
		if j.state.Counts.Read == 0 {
			return errNoRecords
		}
		if err := allFailed(j.state.Counts, deadLimit); err != nil {
			return resumableError{err: err, hint: allFailedHint(file, j.state.DeadLetterPath)}
		}
		return nil
	}
	if err == nil && resumed {
		err = checkDeadLetterFile(&j.state, dlPath)
	}
	if err != nil {
		return usageError{err}
	}
	res.resumed, res.fromLine = resumed, j.state.Watermark.Line

	reader, header, err := openReader(in, pl.format, pl.readerOptions(in, j.start()))
	if err != nil {
		return readerError(file, err)
	}
	limiter := pipeline.NewLimiter(pl.rate.N, pl.rate.Window)
	mapper, err := preflight(ctx, e.interrupt, client, limiter, pl, header, log)
	if err != nil {
		return err
	}
	res.mapping = effectiveMapping(pl.mapping, header, pl.o.IDColumn, mapper)
	if !resumed {
		if err := j.archiveEarlier(dlPath, o.KeepArchives, log); err != nil {
			return usageError{err}
		}
	}
	deadLines, err := j.deadLettersSinceSave(dlPath, pl.format)
	if err != nil {
		return usageError{err}
	}
	deadLimit = withJob(deadLimit, j.counts())
	if err := overLimitAtStart(deadLimit); err != nil {
		return resumableError{err: err, hint: tooManyFailedHint(j.state.Watermark.Line, file, cpPath, dlPath)}
	}
	if resumed && dlPath != j.state.DeadLetterPath {
		log.Warn("dead-letter file differs from the last run's; records it had written since its last save may be written again",
			zap.String("was", j.state.DeadLetterPath), zap.String("now", dlPath))
	}
	j.state.DeadLetterPath = dlPath
	dead, err := deadletter.Open(dlPath, pl.format, header, deadletter.WithIDColumn(pl.o.IDColumn))
	if err != nil {
		return usageError{err}
	}
	j.deadSize = dead.Size
	if err := j.identifyDeadLetterFile(dlPath); err != nil {
		dead.Close()
		return err
	}

	cfg := pl.pipelineConfig(e.interrupt, mapper)
	cfg.Start, cfg.Skip, cfg.Progress = j.start(), j.skipper(deadLines), j
	cfg.DeadLetterLimit = deadLimit
	p, err := pipeline.New(cfg, reader, client, dead, limiter, log)
	if err != nil {
		dead.Close()
		return usageError{err}
	}
	j.stats = p.Stats()
	res.stats, res.job = p.Stats(), j

	log.Info("sync started", zap.String("file", file), zap.Stringer("format", pl.format),
		zap.String("object", o.Object), zap.String("base_url", o.BaseURL),
		zap.Int("batch_size", o.BatchSize), zap.Int("workers", o.Workers), zap.String("rate", pl.rate.String()),
		zap.String("dead_letter", dlPath), zap.String("checkpoint", cpPath),
		zap.Bool("resumed", resumed), zap.Int64("from_line", j.state.Watermark.Line))
	start := time.Now()
	runCtx, stop := stopAfterDrain(ctx, e.interrupt, drainTimeout)
	stopAnnounce := announceDrain(e.interrupt, p.Stats(), drainTimeout, log)
	stopProgress := progress(p.Stats(), fp.Size, j.start().Offset)
	runErr := p.Run(runCtx)
	stopProgress()
	stopAnnounce()
	stop()
	if err := dead.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("close dead-letter file: %w", err)
	}
	runErr = runConfigError(o, runErr)
	logSummary(log, p.Stats(), time.Since(start), dlPath, runErr, res.totals(), resumed)
	if runErr == nil && j.counts().Read == 0 {
		runErr = errNoRecords
	}
	switch code := exitCode(runErr, 0); {
	case errors.Is(runErr, errInputChanged):
		runErr = resumableError{err: runErr, hint: fmt.Sprintf(
			"every record before line %d of the file as it was is settled; progress is saved in %s, bound to that file.\n"+
				"The next run finds another file over this unfinished job and refuses it (status 2): pass --restart once to start the new file, "+
				"or set --on-new-input restart where the newest export always wins; the old file's records from line %d on were never sent.",
			j.state.Watermark.Line, cpPath, j.state.Watermark.Line)}
	case runErr != nil && code == exitResumable:
		runErr = resumableError{err: runErr, hint: fmt.Sprintf(
			"every record before line %d of %s is settled; progress is saved in %s.\nRun the same command again to carry on from there.",
			j.state.Watermark.Line, file, cpPath)}
	case code == exitTooManyFailed:
		runErr = resumableError{err: runErr, hint: tooManyFailedHint(j.state.Watermark.Line, file, cpPath, dlPath)}
	case runErr == nil:
		if err := allFailed(j.counts(), deadLimit); err != nil {
			runErr = resumableError{err: err, hint: allFailedHint(file, dlPath)}
		}
	}
	return runErr
}

// checkInputAtEnd looks at the input once more when a run ends with err,
// and returns how the run ended given what it finds. A file that changed
// after it was read to its fingerprinted size (an export still appending,
// or written again) turns a finished run into a resumable stop: every
// record of the file as it was is settled and the job saved as finished,
// so a rerun once the export is done takes the new file as a new job; an
// exit status of success would have told a scheduler that the new records
// were sent. A run that stopped otherwise keeps its error, and the change
// becomes a warning; errInputChanged already says it.
func checkInputAtEnd(err error, f *os.File, fp checkpoint.Input, dryRun bool, log *zap.Logger, res *syncResult) error {
	if errors.Is(err, errInputChanged) {
		return err
	}
	finished := err == nil || errors.Is(err, errNoRecords)
	msg := inputChange(f, fp, !dryRun && !finished)
	switch {
	case msg == "":
		return err
	case finished:
		hint := "every record of the file as it was when the run started is settled, and the job is saved as finished: rerun the same command once the export has finished, and it takes the new file as a new job"
		if dryRun {
			hint = "rerun the dry run once the export has finished"
		}
		return resumableError{err: inputChangedError(msg), hint: hint}
	}
	log.Warn("the input changed while it was read", zap.Int64("read_to_offset", fp.Size), zap.String("detail", msg))
	res.warnings = append(res.warnings, msg)
	return err
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
