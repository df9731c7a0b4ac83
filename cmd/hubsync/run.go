package main

import (
	"context"
	"errors"
	"io"
	"os"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/checkpoint/syncstate"
	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/sink/deadletter"
	"github.com/hubsync/hubsync/sink/mapping"
	"github.com/hubsync/hubsync/source"
)

// syncRequest is a sync as runSync asks for it.
type syncRequest struct {
	o        syncOptions
	file     string
	args     []string // the command line after "hubsync sync", kept in the checkpoint for 'hubsync status'
	env      env
	log      *zap.Logger
	progress progressFunc
}

// progressFunc starts the progress display of a run over an input of total
// bytes from offset from; it returns the function that stops it.
type progressFunc func(stats *pipeline.Stats, total, from int64) (stop func())

// syncRun is one run of a sync: of a job, which resumes or starts, or a
// dry run. openSync opens it, Run runs it, and Close releases what it
// holds: the input file, the locks and the dead-letter file.
type syncRun struct {
	req       syncRequest
	pl        *plan
	client    *sink.Client
	f         *os.File
	fp        checkpoint.Input
	in        *stoppableInput // the input as the readers see it
	deadLimit *pipeline.DeadLetterLimit
	job       *checkpoint.Job // nil for a dry run
	dead      *deadletter.Writer
	p         *pipeline.Pipeline
	state     *syncstate.Store // --only-changed: the target's sync state
	stateDir  string           // --only-changed: where the sync states live
	closers   []io.Closer      // what Close releases, last first
	res       syncResult       // what the report needs, learnt as the run goes
}

// syncFile runs one sync and returns what its report needs, also when it
// fails.
func syncFile(ctx context.Context, req syncRequest) (syncResult, error) {
	r, err := openSync(ctx, req)
	defer func() {
		if cerr := r.Close(); cerr != nil {
			req.log.Warn("closing the run's files failed", zap.Error(cerr))
		}
	}()
	if err != nil {
		return r.res, err
	}
	return r.Run(ctx)
}

// openSync opens a sync of req.file: the plan, the token and the client,
// the input, then the job (openJob) or the dry run (openDryRun). It
// returns the run even with an error: Close releases what it opened, and
// its res says what it learnt, for the report.
func openSync(ctx context.Context, req syncRequest) (*syncRun, error) {
	r := &syncRun{req: req}
	if err := r.openInput(ctx); err != nil {
		return r, err
	}
	open := r.openJob
	if req.o.DryRun {
		open = r.openDryRun
	}
	if err := open(ctx); err != nil {
		return r, r.checkInputAtEnd(err)
	}
	return r, nil
}

// Run runs the sync to its end, and returns what its report needs and how
// it ended. A job that its checkpoint says is complete is not run again.
func (r *syncRun) Run(ctx context.Context) (syncResult, error) {
	var err error
	switch {
	case r.req.o.DryRun:
		err = r.runDry(ctx)
	case r.job.Complete():
		err = r.completeAlready()
	default:
		err = r.runJob(ctx)
	}
	err = r.checkInputAtEnd(err)
	return r.res, err
}

// Close releases what the run holds, last opened first. It may be called
// after any failure, and more than once.
func (r *syncRun) Close() error {
	var errs []error
	for i := len(r.closers) - 1; i >= 0; i-- {
		errs = append(errs, r.closers[i].Close())
	}
	r.closers = nil
	return errors.Join(errs...)
}

// openInput does what a job and a dry run share: it checks the settings,
// reads the token, and opens and inspects the input.
func (r *syncRun) openInput(ctx context.Context) error {
	o, file := r.req.o, r.req.file
	pl, err := newPlan(o, file)
	if err == nil {
		err = checkJobOptions(o)
	}
	if err == nil {
		r.deadLimit, err = parseMaxDeadLetters(o.MaxDeadLetters)
	}
	if err == nil {
		r.stateDir, err = stateDir(o, r.req.env.getenv)
	}
	if err != nil {
		return usageError{err}
	}
	r.pl, r.res.format = pl, pl.format
	if r.res.token, err = readToken(o.TokenFile, r.req.env.getenv, r.req.log); err != nil {
		return usageError{err}
	}
	if r.client, err = newClient(o, r.res.token); err != nil {
		return usageError{err}
	}
	if r.f, err = openInput(file); err != nil {
		return usageError{err}
	}
	r.closers = append(r.closers, r.f)
	if r.fp, err = checkpoint.Fingerprint(r.f, file); err != nil {
		return usageError{err}
	}
	in := inputRead(ctx, r.req.env.interrupt, r.f, r.fp)
	if err := pl.inspectInput(in, r.req.log); err != nil {
		return readerError(file, err)
	}
	r.in = in
	return nil
}

// prepared is what a run reads and sends with, once prepare has checked it.
type prepared struct {
	reader pipeline.Reader
	header []string
	mapper *mapping.Mapper
	state  pipeline.SyncState // nil without --only-changed
}

// prepare opens the reader at start, runs the preflight and opens the
// sync state of --only-changed, through lim: the steps a job and a dry run
// share before they write anything.
func (r *syncRun) prepare(ctx context.Context, lim *pipeline.Limiter, start source.Position) (prepared, error) {
	reader, header, err := openReader(r.in, r.pl.format, r.pl.readerOptions(r.in, start))
	if err != nil {
		return prepared{}, readerError(r.pl.file, err)
	}
	mapper, err := r.preflight(ctx, lim, header)
	if err != nil {
		return prepared{}, err
	}
	state, err := r.openSyncState(ctx, lim, mapper)
	if err != nil {
		return prepared{}, err
	}
	return prepared{reader, header, mapper, state}, nil
}

// preflight checks the mapping against the object's properties and the
// header (see preflight), through lim.
func (r *syncRun) preflight(ctx context.Context, lim *pipeline.Limiter, header []string) (*mapping.Mapper, error) {
	mapper, err := preflight(ctx, r.req.env.interrupt, r.client, lim, r.pl, header, r.req.log)
	if err != nil {
		return nil, err
	}
	r.res.mapping = effectiveMapping(r.pl.mapping, header, r.pl.o.IDColumn, mapper)
	return mapper, nil
}

// openDeadLetters opens the dead-letter file at path, to append to it.
func (r *syncRun) openDeadLetters(path string, header []string) error {
	dead, err := deadletter.Open(path, r.pl.format, header, deadletter.WithIDColumn(r.pl.o.IDColumn))
	if err != nil {
		return usageError{err}
	}
	r.dead = dead
	r.closers = append(r.closers, dead)
	return nil
}

// closeDeadLetters closes the dead-letter file once the pipeline is done,
// and returns how the run ended: err, or the close's error when the run
// went well. After a failure the close's error is logged, not lost; the
// committer fsynced every dead letter the checkpoint counts before then.
func (r *syncRun) closeDeadLetters(err error) error {
	cerr := r.dead.Close()
	switch {
	case cerr == nil:
		return err
	case err == nil:
		return cerr
	}
	r.req.log.Warn("closing the dead-letter file failed too", zap.Error(cerr))
	return err
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
func (r *syncRun) checkInputAtEnd(err error) error {
	if errors.Is(err, errInputChanged) {
		return err
	}
	dryRun := r.req.o.DryRun
	finished := err == nil || errors.Is(err, errNoRecords)
	msg := inputChange(r.f, r.fp, !dryRun && !finished)
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
	r.req.log.Warn("the input changed while it was read", zap.Int64("read_to_offset", r.fp.Size), zap.String("detail", msg))
	r.res.warnings = append(r.res.warnings, msg)
	return err
}
