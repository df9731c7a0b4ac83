package main

import (
	"context"

	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// drySender stands in for HubSpot in a dry run: it sends nothing and
// reports every input applied, so that the pipeline counts the requests a
// real run would make.
type drySender struct{}

func (drySender) UpdateBatch(_ context.Context, in []sink.Input) (*sink.BatchResult, error) {
	res := &sink.BatchResult{StatusCode: 200, Items: make([]sink.ItemResult, len(in)),
		RateLimit: sink.RateLimit{Max: -1, Remaining: -1, Daily: -1, DailyRemaining: -1}}
	for i := range res.Items {
		res.Items[i].Outcome = sink.Applied
	}
	return res, nil
}

// openDryRun opens a dry run, which reads the whole file through mapping,
// coercion and validation, writes what would fail to its own dead-letter
// file (see dryRunDeadLetterPath), and sends no write. Its summary
// (printDryRunSummary) says what the real run would do.
func (r *syncRun) openDryRun(ctx context.Context) error {
	o, log := r.req.o, r.req.log
	// A dry run keeps no checkpoint: it locks its own dead-letter file,
	// and so may run beside the real job.
	dlPath := dryRunDeadLetterPath(o, r.req.file, r.pl.format)
	lock, err := lockJob(dlPath, o, r.req.file, log)
	if err != nil {
		return usageError{err}
	}
	r.closers = append(r.closers, lock)
	in, err := r.prepare(ctx, pipeline.NewLimiter(0, 0), source.Position{})
	if err != nil {
		return err
	}
	reader, header, mapper, state := in.reader, in.header, in.mapper, in.state
	if err := archiveDeadLetter(dlPath, o.KeepArchives, log); err != nil {
		return usageError{err}
	}
	r.res.deadLetter = dlPath
	if err := r.openDeadLetters(dlPath, header); err != nil {
		return err
	}
	cfg := r.pl.pipelineConfig(r.req.env.interrupt, mapper)
	cfg.State = state
	p, err := pipeline.New(cfg, reader, drySender{}, r.dead, pipeline.NewLimiter(0, 0), log)
	if err != nil {
		return usageError{err}
	}
	r.p, r.res.stats = p, p.Stats()
	return nil
}

// runDry runs the dry run's pipeline to the end of the input.
func (r *syncRun) runDry(ctx context.Context) error {
	stopProgress := r.req.progress(r.p.Stats(), r.fp.Size, 0)
	err := r.p.Run(ctx)
	stopProgress()
	err = r.closeDeadLetters(err)
	if err == nil && r.p.Stats().Read.Load() == 0 {
		err = errNoRecords
	}
	return err
}
