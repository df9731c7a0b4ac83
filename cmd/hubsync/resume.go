package main

import (
	"errors"
	"fmt"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink/deadletter"
	"github.com/hubsync/hubsync/source"
)

// loadJob opens the job of a checkpoint (checkpoint.Open decides between
// resuming it and starting anew) and words its refusals in the flags that
// change them.
func loadJob(req checkpoint.OpenRequest) (*checkpoint.Job, error) {
	j, err := checkpoint.Open(req)
	var corrupt *checkpoint.CorruptError
	var unfinished *checkpoint.UnfinishedError
	var settings *checkpoint.SettingsError
	switch {
	case errors.As(err, &corrupt) && req.Restart:
		return nil, fmt.Errorf("%w (with --restart, delete it yourself first: hubsync never removes a file it cannot read)", err)
	case errors.As(err, &unfinished):
		return nil, &unfinishedJobError{path: unfinished.Path, state: unfinished.State, changed: unfinished.Err}
	case errors.As(err, &settings):
		return nil, fmt.Errorf("%w; pass --restart to start over, or --checkpoint to use another file", err)
	}
	return j, err
}

// scanDeadLetters reads the dead-letter file at path for
// checkpoint.Job.ReadDeadLetters.
func scanDeadLetters(path string, format source.Format) func(from int64, yield func(line int64)) error {
	return func(from int64, yield func(line int64)) error {
		return deadletter.Scan(path, format, from, func(line int64) error {
			yield(line)
			return nil
		})
	}
}

// jobProgress is a job as the pipeline's Progress: it settles batches,
// and saves the checkpoint with this run's counters and the size of the
// dead-letter file, which the committer has fsynced by then.
type jobProgress struct {
	job   *checkpoint.Job
	dead  *deadletter.Writer
	stats *pipeline.Stats // set once the pipeline exists
}

var _ pipeline.Progress = (*jobProgress)(nil)

func (p *jobProgress) Settle(seq uint64, start int64, end source.Position) {
	p.job.Settle(seq, start, checkpoint.Pos{Offset: end.Offset, Line: end.Line})
}

func (p *jobProgress) Save(final bool) error {
	return p.job.Save(final, p.dead.Size(), jobCounts(p.stats))
}

// jobCounts are a run's counters as a checkpoint keeps them (zero before
// the pipeline exists): records skipped as settled by an earlier run are
// not counted as read twice.
func jobCounts(s *pipeline.Stats) checkpoint.Counts {
	if s == nil {
		return checkpoint.Counts{}
	}
	run := s.Snapshot()
	run.Read -= s.Skipped.Load()
	return run
}

// skipSettled is the pipeline's Skip for a job's Skipper.
func skipSettled(s *checkpoint.Skipper) func(source.Record) bool {
	return func(rec source.Record) bool { return s.Skip(rec.Offset, rec.End, rec.Line) }
}

// position is p as the reader takes it.
func position(p checkpoint.Pos) source.Position {
	return source.Position{Offset: p.Offset, Line: p.Line}
}
