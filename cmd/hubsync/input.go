package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink/deadletter"
)

// openInput opens the input, which must be a regular file (or a link to
// one): a run fingerprints it to resume, seeks in it, and reads it to a
// known size, none of which a device, a FIFO or a directory allows (and
// reading /dev/zero would never end). deadletter.OpenRegular looks before
// it opens, and does not wait on a FIFO swapped in meanwhile.
func openInput(path string) (*os.File, error) {
	f, err := deadletter.OpenRegular(path, os.O_RDONLY, 0, true)
	var nr *deadletter.NotRegularError
	if errors.As(err, &nr) {
		return nil, fmt.Errorf("input %s is %s, not a regular file: hubsync reads a file it can fingerprint and seek in, to resume; save the export to a file first", path, deadletter.Kind(nr.Mode))
	}
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	return f, nil
}

// drainGrace is how long after the first Ctrl-C the input may still be
// read. The pipeline stops between records; only a reader caught inside
// one very long line (which it skips without buffering) needs the input
// itself to fail, and the grace leaves the pipeline its cleaner stop
// otherwise.
const drainGrace = time.Second

// errInputChanged is what a read of the input returns once the file no
// longer has the size and modification time it was fingerprinted with: it
// was rewritten, truncated or appended to while the run read it, and the
// bytes read since may belong to the new file.
var errInputChanged = errors.New("the input changed while it was read (written again, truncated or appended to): " +
	"rerun once the export has finished, and start syncs only after it has (write the export under a temporary name and rename it into place)")

// inputChangedError is errInputChanged as found at the end of a run, in
// the words of inputChange.
type inputChangedError string

func (e inputChangedError) Error() string { return string(e) }
func (e inputChangedError) Unwrap() error { return errInputChanged }

// errStopReading is what reads of a stopped input return.
var errStopReading = fmt.Errorf("stop reading the input: %w", pipeline.ErrInterrupted)

// stoppableInput is the input as a sync's reader sees it: reads fail with
// errStopReading once ctx is done, or grace (drainGrace) after drain is
// closed.
// It is not safe for concurrent use, as the readers it serves are not.
type stoppableInput struct {
	r         io.ReadSeeker
	changed   func() bool // nil: the input cannot change
	size      int64       // the fingerprinted size, where the input ends
	ctx       context.Context
	drain     <-chan struct{}
	grace     time.Duration
	drainedAt time.Time // when a read first saw drain closed
}

func newStoppableInput(ctx context.Context, drain <-chan struct{}, r io.ReadSeeker) *stoppableInput {
	return &stoppableInput{r: r, ctx: ctx, drain: drain, grace: drainGrace}
}

// Read reads from the input, and checks after every read that the file
// still has its fingerprinted size and modification time: when it does
// not, the read fails with errInputChanged and its bytes are dropped.
//
// A check after the read is enough, and one before it would add nothing:
// every write and truncation sets the file's modification time, so a file
// that still matches its fingerprint after the read was not written to
// before that moment, the read included; and a change before the read
// shows after it as well. The bytes of every read that passed are the
// fingerprinted file's, so no row mixes two files and none is taken from
// the new one. What it cannot see is a rewrite to the very same size
// within one tick of the clock that stamps the file (stored to the
// nanosecond, advanced by the kernel every few milliseconds) of the write
// before the fingerprint; an export does not rewrite itself that fast.
//
// Only the end of the input at its fingerprinted size is let through
// unchecked: the bytes before it were checked, and the end of the run
// tells a change after them (inputChange). An end found earlier (a read
// caught between the truncation and the writes of a rewrite) is checked
// like any read, or the run would take a cut file for a finished one.
// The check is one fstat per read, that is per 64 KiB buffer.
func (s *stoppableInput) Read(p []byte) (int, error) {
	if err := s.stopped(); err != nil {
		return 0, err
	}
	n, err := s.r.Read(p)
	if s.changed == nil || (n == 0 && err == io.EOF && s.atEnd()) {
		return n, err
	}
	if s.changed() {
		return 0, errInputChanged
	}
	return n, err
}

// atEnd reports whether the reader stands at the input's fingerprinted
// size.
func (s *stoppableInput) atEnd() bool {
	off, err := s.r.Seek(0, io.SeekCurrent)
	return err == nil && off >= s.size
}

func (s *stoppableInput) Seek(offset int64, whence int) (int64, error) {
	return s.r.Seek(offset, whence)
}

// Changed reports whether the file under the input no longer has the size
// and modification time it had when the run started (see changedSince).
// It is meant for source.Options.Changed.
func (s *stoppableInput) Changed() bool { return s.changed != nil && s.changed() }

func (s *stoppableInput) stopped() error {
	if s.ctx.Err() != nil {
		return errStopReading
	}
	if s.drainedAt.IsZero() {
		select {
		case <-s.drain:
			s.drainedAt = time.Now()
		default:
			return nil
		}
	}
	if time.Since(s.drainedAt) >= s.grace {
		return errStopReading
	}
	return nil
}

// inputRead is the input a run reads: no further than the size it had
// when it was fingerprinted, so that what a writer appends meanwhile (an
// export still running) is neither read nor taken for a complete last
// record.
func inputRead(ctx context.Context, drain <-chan struct{}, f *os.File, fp checkpoint.Input) *stoppableInput {
	in := newStoppableInput(ctx, drain, io.NewSectionReader(f, 0, fp.Size))
	in.changed, in.size = changedSince(f, fp), fp.Size
	return in
}

// changedSince returns a function that reports whether the open input f no
// longer has the size and modification time fingerprinted in fp (or cannot
// be checked). It is what source.Options.Changed asks before a last line
// without a terminator is taken for a record.
func changedSince(f *os.File, fp checkpoint.Input) func() bool {
	return func() bool {
		st, err := f.Stat()
		return err != nil || st.Size() != fp.Size || !st.ModTime().UTC().Equal(fp.ModTime)
	}
}

// inputChange describes how the open input f moved away from its
// fingerprint fp while a run read it, or returns "" when it did not.
// resumable tells whether the run keeps a checkpoint, which a rerun must
// discard, since it is bound to the old size.
func inputChange(f *os.File, fp checkpoint.Input, resumable bool) string {
	if !changedSince(f, fp)() {
		return ""
	}
	rerun := "rerun once the export has finished"
	if resumable {
		rerun = "rerun with --restart once the export has finished"
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		return fmt.Sprintf("the input could not be checked at the end of the run (%v); if it was still being written, %s", err, rerun)
	case st.Size() > fp.Size:
		return fmt.Sprintf("the input changed while it was read (%d bytes at the start, %d now): records past byte %d were not read; %s",
			fp.Size, st.Size(), fp.Size, rerun)
	}
	return fmt.Sprintf("the input changed while it was read (%d bytes and modified %s at the start, %d bytes and modified %s now): records may be cut short or missing; %s",
		fp.Size, fp.ModTime.Format(time.RFC3339Nano), st.Size(), st.ModTime().UTC().Format(time.RFC3339Nano), rerun)
}
