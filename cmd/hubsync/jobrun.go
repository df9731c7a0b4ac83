package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
)

// openJob opens a real run: it locks the job, opens its checkpoint, and,
// unless the job is complete, the reader, the preflight, the dead-letter
// file and the pipeline.
func (r *syncRun) openJob(ctx context.Context) error {
	if err := r.openCheckpoint(); err != nil || r.job.Complete() {
		return err
	}
	if r.job.Resumed() {
		// Before any request: a job over its dead-letter limit already
		// refuses at no cost.
		if err := r.readDeadLetters(); err != nil {
			return err
		}
	}
	// Before takeOver moves anything: a run that finds another on its
	// target (the sync state) must leave the job as it found it.
	limiter := pipeline.NewLimiter(r.pl.rate.N, r.pl.rate.Window)
	in, err := r.prepare(ctx, limiter, position(r.job.Watermark()))
	if err != nil {
		return err
	}
	reader, header, mapper, state := in.reader, in.header, in.mapper, in.state
	if err := r.takeOver(); err != nil {
		return err
	}
	if err := r.openJobDeadLetters(header); err != nil {
		return err
	}
	prog := &jobProgress{job: r.job, dead: r.dead}
	cfg := r.pl.pipelineConfig(r.req.env.interrupt, mapper)
	cfg.Start, cfg.Skip, cfg.Progress = position(r.job.Watermark()), skipSettled(r.job.Skipper()), prog
	cfg.DeadLetterLimit, cfg.State = r.deadLimit, state
	p, err := pipeline.New(cfg, reader, r.client, r.dead, limiter, r.req.log)
	if err != nil {
		return usageError{err}
	}
	r.p, prog.stats, r.res.stats = p, p.Stats(), p.Stats()
	return nil
}

// openCheckpoint locks the job's checkpoint and dead-letter file, then
// opens its checkpoint (see loadJob). A resumed job must find the
// dead-letter file it wrote (see checkDeadLetterFile).
func (r *syncRun) openCheckpoint() error {
	o, file := r.req.o, r.req.file
	cpPath, dlPath := o.Checkpoint, o.DeadLetter
	if cpPath == "" {
		cpPath = file + ".checkpoint.json"
	}
	if dlPath == "" {
		dlPath = defaultDeadLetterPath(file, r.pl.format)
	}
	r.res.checkpoint, r.res.deadLetter = cpPath, dlPath
	// Before the checkpoint is read or any file moved or written.
	lock, err := lockJob(cpPath, o, file, r.req.log)
	if err != nil {
		return usageError{err}
	}
	r.closers = append(r.closers, lock)
	dlLock, err := lockDeadLetter(dlPath, o, file)
	if err != nil {
		return usageError{err}
	}
	r.closers = append(r.closers, dlLock)
	j, err := loadJob(checkpoint.OpenRequest{Path: cpPath, Input: r.fp, Settings: r.pl.settings(), DeadLetterPath: dlPath,
		Command: append([]string{"hubsync", "sync"}, r.req.args...), Restart: o.Restart, NewInputRestarts: o.OnNewInput == newInputRestart})
	if err == nil && j.Resumed() && !j.Complete() {
		st := j.State()
		err = checkDeadLetterFile(&st, dlPath)
	}
	if err != nil {
		return usageError{err}
	}
	r.job, r.res.job = j, j
	if !j.Complete() { // a rerun of a complete job resumes nothing
		r.res.resumed, r.res.fromLine = j.Resumed(), j.Watermark().Line
	}
	return nil
}

// takeOver takes over from the job this one replaces, if any: it archives
// what that job left, and then reads the new job's dead letters (none). A
// resumed job read its own before any request (readDeadLetters).
func (r *syncRun) takeOver() error {
	if r.job.Resumed() {
		return nil
	}
	if err := archiveEarlier(r.job, r.res.deadLetter, r.req.o.KeepArchives, r.req.log); err != nil {
		return usageError{err}
	}
	return r.readDeadLetters()
}

// readDeadLetters takes in the dead letters the job's earlier runs wrote
// since their last save, and refuses to start a job that is over its
// dead-letter limit already.
func (r *syncRun) readDeadLetters() error {
	j, dlPath := r.job, r.res.deadLetter
	if err := j.ReadDeadLetters(dlPath, scanDeadLetters(dlPath, r.pl.format)); err != nil {
		return usageError{err}
	}
	r.deadLimit = withJob(r.deadLimit, j.Totals(checkpoint.Counts{})) // the earlier runs'
	if err := overLimitAtStart(r.deadLimit); err != nil {
		return resumableError{err: err, hint: tooManyFailedHint(j.Watermark().Line, r.req.file, r.res.checkpoint, dlPath)}
	}
	return nil
}

// openJobDeadLetters opens the job's dead-letter file and notes in the
// job which file it writes.
func (r *syncRun) openJobDeadLetters(header []string) error {
	j, dlPath := r.job, r.res.deadLetter
	if was := j.State().DeadLetterPath; j.Resumed() && dlPath != was {
		r.req.log.Warn("dead-letter file differs from the last run's; records it had written since its last save may be written again",
			zap.String("was", was), zap.String("now", dlPath))
	}
	if err := r.openDeadLetters(dlPath, header); err != nil {
		return err
	}
	id, err := identifyDeadLetterFile(dlPath)
	if err != nil {
		return err
	}
	j.UseDeadLetterFile(dlPath, id)
	return nil
}

// completeAlready ends the rerun of a job its checkpoint says is complete
// as the job ended (see syncResult.deadLettered): a scheduler that retries
// until status 0 must not take a job with dead letters for a clean one
// the second time round.
func (r *syncRun) completeAlready() error {
	st := r.job.State()
	dead := ""
	if n := st.Counts.DeadLettered; n > 0 {
		dead = fmt.Sprintf(", with %d records in the dead-letter file %s", n, st.DeadLetterPath)
	}
	fmt.Fprintf(r.req.env.stderr, "hubsync sync: %s is already complete (checkpoint %s, finished %s)%s; pass --restart to run it again\n",
		r.req.file, r.res.checkpoint, st.UpdatedAt.Local().Format(time.DateTime), dead)
	if st.Counts.Read == 0 {
		return errNoRecords
	}
	if err := allFailed(st.Counts, r.deadLimit); err != nil {
		return resumableError{err: err, hint: allFailedHint(r.req.file, st.DeadLetterPath)}
	}
	return nil
}

// runJob runs the job's pipeline, logs the summary, and says how the run
// ended and what to do next.
func (r *syncRun) runJob(ctx context.Context) error {
	o, pl, stats := r.req.o, r.pl, r.p.Stats()
	resumed, from := r.job.Resumed(), r.job.Watermark()
	r.req.log.Info("sync started", zap.String("file", r.req.file), zap.Stringer("format", pl.format),
		zap.String("object", o.Object), zap.String("base_url", o.BaseURL),
		zap.Int("batch_size", o.BatchSize), zap.Int("workers", o.Workers), zap.String("rate", pl.rate.String()),
		zap.String("dead_letter", r.res.deadLetter), zap.String("checkpoint", r.res.checkpoint),
		zap.Bool("resumed", resumed), zap.Int64("from_line", from.Line))
	start := time.Now()
	runCtx, stop := stopAfterDrain(ctx, r.req.env.interrupt, drainTimeout)
	stopAnnounce := announceDrain(r.req.env.interrupt, stats, drainTimeout, r.req.log)
	stopProgress := r.req.progress(stats, r.fp.Size, from.Offset)
	err := r.p.Run(runCtx)
	stopProgress()
	stopAnnounce()
	stop()
	err = r.closeDeadLetters(err)
	if err == nil {
		err = r.finishSyncState() // only once the whole input is read
	}
	err = runConfigError(o, err)
	logSummary(r.req.log, stats, time.Since(start), r.res.deadLetter, err, r.res.totals(), resumed)
	if err == nil && r.res.totals().Read == 0 {
		err = errNoRecords
	}
	return r.withHint(err)
}

// withHint adds to err, how a run of the job ended, what to do next.
func (r *syncRun) withHint(err error) error {
	file, cpPath, dlPath := r.req.file, r.res.checkpoint, r.res.deadLetter
	line := r.job.Watermark().Line // as last saved
	switch code := exitCode(err, 0); {
	case errors.Is(err, errInputChanged):
		return resumableError{err: err, hint: fmt.Sprintf(
			"every record before line %d of the file as it was is settled; progress is saved in %s, bound to that file.\n"+
				"The next run finds another file over this unfinished job and refuses it (status 2): pass --restart once to start the new file, "+
				"or set --on-new-input restart where the newest export always wins; the old file's records from line %d on were never sent.",
			line, cpPath, line)}
	case err != nil && code == exitResumable:
		return resumableError{err: err, hint: fmt.Sprintf(
			"every record before line %d of %s is settled; progress is saved in %s.\nRun the same command again to carry on from there.",
			line, file, cpPath)}
	case code == exitTooManyFailed:
		return resumableError{err: err, hint: tooManyFailedHint(line, file, cpPath, dlPath)}
	case err == nil:
		if err := allFailed(*r.res.totals(), r.deadLimit); err != nil {
			return resumableError{err: err, hint: allFailedHint(file, dlPath)}
		}
	}
	return err
}
