package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"
)

// ReplaceReason says why a new job replaces the one in the checkpoint.
type ReplaceReason int

const (
	ReplaceNone       ReplaceReason = iota // no checkpoint, or resuming it
	ReplaceRestart                         // the run asked to start over
	ReplaceFinished                        // the job is finished and the input is a new file
	ReplaceUnfinished                      // the job is unfinished, the input is a new file, and NewInputRestarts
)

// OpenRequest is what a run asks of the checkpoint at Path.
type OpenRequest struct {
	Path           string            // the checkpoint file
	Input          Input             // the input as it is now
	Settings       map[string]string // what shapes the requests (see State.Settings)
	DeadLetterPath string            // where a new job writes its dead letters
	Command        []string          // how to resume, kept for 'hubsync status'
	Restart        bool              // start a new job whatever the checkpoint holds
	// NewInputRestarts lets a new input replace an unfinished job; without
	// it that is an *UnfinishedError.
	NewInputRestarts bool
}

// UnfinishedError refuses a new input at the path of a job that did not
// finish: starting the new file would leave the rest of the old one
// unsent, and only a person knows whether that is right. It wraps the
// CheckInput error, and so ErrInputChanged.
type UnfinishedError struct {
	Path  string // the checkpoint
	State *State // the unfinished job
	Err   error  // how the input differs
}

func (e *UnfinishedError) Error() string {
	return fmt.Sprintf("%v, and the job in checkpoint %s is unfinished", e.Err, e.Path)
}

func (e *UnfinishedError) Unwrap() error { return e.Err }

// SettingsError refuses to resume a job with settings other than those
// its checkpoint was written with: the checkpoint cannot say which records
// those settings would send differently.
type SettingsError struct {
	Path string // the checkpoint
	Err  error  // the CheckSettings error
}

func (e *SettingsError) Error() string {
	return fmt.Sprintf("cannot resume from checkpoint %s: %v", e.Path, e.Err)
}

func (e *SettingsError) Unwrap() error { return e.Err }

// Job is one sync of one input, across runs: its checkpoint file and the
// progress of this run. Settle and Save are for one goroutine (the
// pipeline's committer); a Skipper may run beside them.
type Job struct {
	path      string
	state     State  // as loaded or as started; Save writes copies of it
	base      Counts // the totals of earlier runs
	prog      *Progress
	resumed   bool
	deadLines map[int64]bool // records dead-lettered beyond the watermark by an earlier run

	// earlier is the job found in the checkpoint that this new one
	// replaces, for the reason why; nil when there was none.
	earlier *State
	why     ReplaceReason
}

// Open loads the checkpoint at req.Path for req.Input, or starts a new
// job. It only reads: a new job that replaces the one in the checkpoint
// says so in Replaces, and the caller moves the old files aside.
//
// A new job replaces the checkpoint's when Restart is set, when the
// checkpoint's job is finished and the input is another file (tonight's
// export at last night's path), and when its job is unfinished and the
// input another file only with NewInputRestarts; otherwise that last case
// is an *UnfinishedError. The same input with other settings is a
// *SettingsError, and a checkpoint that cannot be read a *CorruptError,
// Restart or not: a file that cannot be read is never replaced. A job
// whose checkpoint says it finished is returned Complete.
func Open(req OpenRequest) (*Job, error) {
	st, err := Load(req.Path)
	if errors.Is(err, ErrNotFound) {
		return newJob(req, nil, ReplaceNone), nil
	}
	if err != nil {
		return nil, err
	}
	why, err := replaceReason(st, req)
	switch {
	case err != nil:
		return nil, err
	case why != ReplaceNone:
		return newJob(req, st, why), nil
	}
	if err := st.CheckSettings(req.Settings); err != nil {
		return nil, &SettingsError{Path: req.Path, Err: err}
	}
	j := &Job{path: req.Path, state: *st, base: st.Counts, resumed: true}
	j.state.Command = req.Command
	j.prog = NewProgress(st.Watermark, st.Settled)
	return j, nil
}

// replaceReason says why the job in st gives way to a new one, or
// ReplaceNone when it carries on; or refuses the input.
func replaceReason(st *State, req OpenRequest) (ReplaceReason, error) {
	changed := st.CheckInput(req.Input)
	switch {
	case req.Restart:
		return ReplaceRestart, nil
	case changed == nil:
		return ReplaceNone, nil
	case st.Complete:
		return ReplaceFinished, nil
	case req.NewInputRestarts:
		return ReplaceUnfinished, nil
	}
	return ReplaceNone, &UnfinishedError{Path: req.Path, State: st, Err: changed}
}

// newJob starts a job on req.Input from its first line, replacing
// earlier (nil when there is none) for the reason why.
func newJob(req OpenRequest, earlier *State, why ReplaceReason) *Job {
	now := time.Now().UTC()
	j := &Job{path: req.Path, earlier: earlier, why: why, state: State{
		Version: Version, Input: req.Input, Settings: req.Settings, Watermark: Pos{Line: 1},
		DeadLetterPath: req.DeadLetterPath, Command: req.Command, StartedAt: now, UpdatedAt: now,
	}}
	j.prog = NewProgress(j.state.Watermark, nil)
	return j
}

// Path is the checkpoint file.
func (j *Job) Path() string { return j.path }

// Resumed reports whether the job is the one in its checkpoint rather
// than a new one. It is true for a Complete job too, which has nothing
// left to carry on: callers that run the rest test Complete first.
func (j *Job) Resumed() bool { return j.resumed }

// Complete reports whether the checkpoint says the job finished already:
// there is nothing left to do.
func (j *Job) Complete() bool { return j.state.Complete }

// State is a copy of the state as loaded, started or last saved. Its
// slices are shared with the job: read them only.
func (j *Job) State() State { return j.state }

// Replaces returns the job found in the checkpoint that this new one
// replaces, and why; nil and ReplaceNone when there is none.
func (j *Job) Replaces() (*State, ReplaceReason) { return j.earlier, j.why }

// Watermark is the position up to which the checkpoint, as loaded or last
// saved, says every record is settled: where a run starts reading.
func (j *Job) Watermark() Pos { return j.state.Watermark }

// UseDeadLetterFile records the dead-letter file this run writes: its path
// and its identity (nil where the system gives none), for a later resume
// to tell it from a file put there since.
func (j *Job) UseDeadLetterFile(path string, id *FileID) {
	j.state.DeadLetterPath, j.state.DeadLetterFile = path, id
}

// ReadDeadLetters takes in the dead letters that earlier runs wrote
// beyond the watermark: those the checkpoint lists, and the entries
// written to the dead-letter file after the checkpoint was last saved.
// Their records are settled and must not be written twice (see Skipper).
//
// path is the dead-letter file this run writes, and scan reads it from
// byte from on, calling yield with each entry's source line; a missing
// file has none. Entries are read only when path is the file the job
// wrote: a job whose dead-letter file moved has none, and so has a new
// one (its old file was moved aside). Each line found that the checkpoint
// does not list is counted into the job's totals once, here; the
// checkpoint keeps the list until the watermark passes it, so that a
// second crash before then does not lose it.
func (j *Job) ReadDeadLetters(path string, scan func(from int64, yield func(line int64)) error) error {
	j.deadLines = make(map[int64]bool, len(j.state.DeadLines))
	for _, l := range j.state.DeadLines {
		j.deadLines[l] = true
	}
	if j.state.DeadLetterPath != path {
		return nil
	}
	found := int64(0)
	err := scan(j.state.DeadLetterSize, func(line int64) {
		if !j.deadLines[line] {
			j.deadLines[line] = true
			found++
		}
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read dead-letter file: %w", err)
	}
	j.base.DeadLettered += found
	j.base.Read += found
	return nil
}

// Settle records that batch seq, which began at start, is settled up to
// end (see Progress.Settle).
func (j *Job) Settle(seq uint64, start int64, end Pos) {
	j.prog.Settle(seq, start, end)
}

// Save writes the checkpoint: the watermark and spans settled so far, the
// dead-letter file's size deadLetterSize (fsynced by the caller first),
// and the totals with run, this run's counters. final marks the job
// finished: the whole input is settled, and nothing beyond the watermark
// needs remembering.
func (j *Job) Save(final bool, deadLetterSize int64, run Counts) error {
	st := j.nextState(final, time.Now().UTC())
	st.DeadLetterSize = deadLetterSize
	st.Counts = j.Totals(run)
	if err := Save(j.path, &st); err != nil {
		return err
	}
	j.state = st
	return nil
}

// nextState is the state to save at now: UpdatedAt moves only when the
// watermark does or the job finishes, and DeadLines keeps only the lines
// the watermark has not passed.
func (j *Job) nextState(final bool, now time.Time) State {
	st := j.state
	wm := j.prog.Watermark()
	if wm != st.Watermark || final {
		st.UpdatedAt = now
	}
	st.Watermark, st.Settled, st.DeadLines = wm, j.prog.Spans(), nil
	if final {
		st.Complete, st.Settled, st.Watermark.Offset = true, nil, st.Input.Size
		return st
	}
	for l := range j.deadLines {
		if l >= wm.Line {
			st.DeadLines = append(st.DeadLines, l)
		}
	}
	slices.Sort(st.DeadLines)
	return st
}

// Totals adds run, this run's counters, to those of the earlier runs.
func (j *Job) Totals(run Counts) Counts { return j.base.Add(run) }

// Skipper tells which records of a resumed run are settled already:
// those inside spans settled beyond the watermark, and those whose dead
// letters an earlier run wrote (see ReadDeadLetters). It expects records
// in file order and is for one goroutine.
type Skipper struct {
	spans []Span
	dead  map[int64]bool
}

// Skipper returns the job's Skipper; call it after ReadDeadLetters.
func (j *Job) Skipper() *Skipper {
	return &Skipper{spans: j.state.Settled, dead: j.deadLines}
}

// Skip reports whether the record at [start, end) of the input, on source
// line line, is settled already.
func (s *Skipper) Skip(start, end, line int64) bool {
	for len(s.spans) > 0 && s.spans[0].End.Offset <= start {
		s.spans = s.spans[1:]
	}
	if len(s.spans) > 0 && s.spans[0].Start <= start && end <= s.spans[0].End.Offset {
		return true
	}
	return s.dead[line]
}
