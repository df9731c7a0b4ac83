package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink/deadletter"
	"github.com/hubsync/hubsync/source"
)

// job is one sync of one input, across runs: its checkpoint file and the
// progress of this run. It implements pipeline.Progress.
type job struct {
	path  string
	state checkpoint.State // as loaded or as started; Save writes copies of it
	base  checkpoint.Counts
	prog  *checkpoint.Progress

	stats     *pipeline.Stats // set once the pipeline exists
	deadSize  func() int64    // bytes in the dead-letter file, fsynced when Save runs
	deadLines map[int64]bool  // records dead-lettered beyond the watermark by an earlier run

	// earlier is the job found in the checkpoint that this new one
	// replaces, for the reason why; nil when there was none.
	earlier *checkpoint.State
	why     replaceReason
}

var _ pipeline.Progress = (*job)(nil)

// errComplete means the checkpoint says the job finished already.
var errComplete = errors.New("already complete")

// openJob loads the checkpoint at path for input in with settings, or
// starts a new job. It only reads: a new job that replaces the one in the
// checkpoint notes it in earlier, and archiveEarlier moves the old files
// aside once the run is sure to start.
//
// A new job replaces the checkpoint's when restart is set, when the
// checkpoint's job is finished and in is another file (tonight's export at
// last night's path), and when its job is unfinished and in is another
// file only if onNewInput is newInputRestart; otherwise that last case is
// an *unfinishedJobError. The same input with other settings is refused as
// ever: the checkpoint cannot say which records those settings would send
// differently.
func openJob(path, deadLetterPath string, in checkpoint.Input, settings map[string]string, restart bool, onNewInput string, command []string) (*job, bool, error) {
	st, err := checkpoint.Load(path)
	var why replaceReason
	switch {
	case errors.Is(err, checkpoint.ErrNotFound):
	case err != nil:
		var corrupt *checkpoint.CorruptError
		if errors.As(err, &corrupt) && restart {
			return nil, false, fmt.Errorf("%w (with --restart, delete it yourself first: hubsync never removes a file it cannot read)", err)
		}
		return nil, false, err
	case restart:
		why = replaceRestart
	case st.CheckInput(in) == nil:
	case st.Complete:
		why = replaceFinished
	case onNewInput == newInputRestart:
		why = replaceUnfinished
	default:
		return nil, false, &unfinishedJobError{path: path, state: st, changed: st.CheckInput(in)}
	}
	if st == nil || why != replaceNone {
		now := time.Now().UTC()
		j := &job{path: path, state: checkpoint.State{
			Version: checkpoint.Version, Input: in, Settings: settings,
			Watermark: checkpoint.Pos{Line: 1}, DeadLetterPath: deadLetterPath, Command: command, StartedAt: now, UpdatedAt: now,
		}, earlier: st, why: why}
		j.prog = checkpoint.NewProgress(j.state.Watermark, nil)
		return j, false, nil
	}
	if err := st.CheckSettings(settings); err != nil {
		return nil, false, fmt.Errorf("cannot resume from checkpoint %s: %w; pass --restart to start over, or --checkpoint to use another file", path, err)
	}
	if st.Complete {
		return &job{path: path, state: *st}, true, errComplete
	}
	j := &job{path: path, state: *st, base: st.Counts}
	j.state.Command = command
	j.prog = checkpoint.NewProgress(st.Watermark, st.Settled)
	return j, true, nil
}

// deadLettersSinceSave returns the source lines of records that earlier
// runs dead-lettered beyond the watermark: those the checkpoint lists, and
// the entries written to the dead-letter file after the checkpoint was last
// saved. Their records are settled and must not be written twice. The
// latter are counted into the job's totals here; the checkpoint keeps the
// list until the watermark passes them, so that a second crash before then
// does not lose it. A job whose dead-letter file has moved has none of the
// latter, and so has a fresh one (its old file was moved aside).
func (j *job) deadLettersSinceSave(path string, format source.Format) (map[int64]bool, error) {
	lines := map[int64]bool{}
	for _, l := range j.state.DeadLines {
		lines[l] = true
	}
	j.deadLines = lines
	if j.state.DeadLetterPath != path {
		return lines, nil
	}
	found := 0
	err := deadletter.Scan(path, format, j.state.DeadLetterSize, func(line int64) error {
		if !lines[line] {
			lines[line] = true
			found++
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read dead-letter file: %w", err)
	}
	j.base.DeadLettered += int64(found)
	j.base.Read += int64(found)
	return lines, nil
}

// start is where reading resumes.
func (j *job) start() source.Position {
	return source.Position{Offset: j.state.Watermark.Offset, Line: j.state.Watermark.Line}
}

// skipper returns the Skip function for the pipeline: records inside spans
// settled beyond the watermark, and records whose dead-letter entries were
// written after the checkpoint was last saved (deadLines).
func (j *job) skipper(deadLines map[int64]bool) func(source.Record) bool {
	spans := j.state.Settled
	return func(rec source.Record) bool {
		for len(spans) > 0 && spans[0].End.Offset <= rec.Offset {
			spans = spans[1:]
		}
		if len(spans) > 0 && spans[0].Start <= rec.Offset && rec.End <= spans[0].End.Offset {
			return true
		}
		return deadLines[rec.Line]
	}
}

func (j *job) Settle(seq uint64, start int64, end source.Position) {
	j.prog.Settle(seq, start, checkpoint.Pos{Offset: end.Offset, Line: end.Line})
}

func (j *job) Save(final bool) error {
	st := j.state
	wm := j.prog.Watermark()
	if wm != st.Watermark || final {
		st.UpdatedAt = time.Now().UTC()
	}
	st.Watermark = wm
	st.Settled = j.prog.Spans()
	if final {
		st.Complete = true
		st.Settled = nil
		st.Watermark.Offset = st.Input.Size
	}
	st.DeadLetterSize = j.deadSize()
	st.DeadLines = nil
	for l := range j.deadLines {
		if l >= wm.Line && !final {
			st.DeadLines = append(st.DeadLines, l)
		}
	}
	slices.Sort(st.DeadLines)
	st.Counts = j.counts()
	if err := checkpoint.Save(j.path, &st); err != nil {
		return err
	}
	j.state = st
	return nil
}

// counts adds this run's counters to those of earlier runs. The records
// this run skipped were counted by the run that settled them.
func (j *job) counts() checkpoint.Counts {
	if j.stats == nil {
		return j.base
	}
	run := j.stats.Snapshot()
	run.Read -= j.stats.Skipped.Load()
	return j.base.Add(run)
}
