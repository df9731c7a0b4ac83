package syncstate

import (
	"bufio"
	"errors"
	"io"
	"os"
	"sync"

	"github.com/hubsync/hubsync/checkpoint"
)

// errJournalClosed is returned by a journal after close.
var errJournalClosed = errors.New("journal closed")

// journal appends entries to the journal file: intents (tombstones)
// before a batch is sent, confirmations once HubSpot applied it. It is
// safe for concurrent use: a mutex orders the appends, and the fsyncs are
// group-committed, so that callers that arrive while one fsync runs
// share the next one instead of queueing one each. The file is created
// at the first append, so that a run that sends nothing writes nothing.
type journal struct {
	path     string
	settings [32]byte

	mu        sync.Mutex
	cond      sync.Cond // signalled when an fsync ends
	f         *os.File  // nil until the first append, and after close
	w         *bufio.Writer
	closed    bool
	added     int64                // entries appended so far
	synced    int64                // entries known durable
	syncing   bool                 // an fsync runs, without mu held
	err       error                // a failed write or fsync: every later call fails
	syncs     int                  // fsyncs done, for the tests
	fsyncFile func(*os.File) error // (*os.File).Sync; the tests hold it
	buf       [entrySize]byte
}

func newJournal(path string, settings [32]byte) *journal {
	j := &journal{path: path, settings: settings, fsyncFile: (*os.File).Sync}
	j.cond.L = &j.mu
	return j
}

// add appends es, buffered, and returns the count of entries appended so
// far, which sync takes to make them durable.
func (j *journal) add(es ...Entry) (int64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.usable(); err != nil {
		return 0, err
	}
	if j.f == nil {
		if err := j.create(); err != nil {
			j.err = err
			return 0, err
		}
	}
	for _, e := range es {
		e.put(j.buf[:])
		if _, err := j.w.Write(j.buf[:]); err != nil {
			j.err = err
			return 0, err
		}
		j.added++
	}
	return j.added, nil
}

// usable says why the journal takes no more calls, if it does not.
func (j *journal) usable() error {
	if j.err != nil {
		return j.err
	}
	if j.closed {
		return errJournalClosed
	}
	return nil
}

// create creates an empty journal: its header is written atomically, so
// a journal file always has a whole header. Only a journal that does not
// exist is created (fold removed the last one, and close ends this one),
// so nothing durable is ever written over.
func (j *journal) create() error {
	head := header{magic: journalMagic, settings: j.settings}.bytes()
	if err := checkpoint.WriteFile(j.path, head, 0o600); err != nil {
		return err
	}
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	j.f, j.w = f, bufio.NewWriterSize(f, 64<<10)
	return nil
}

// sync makes the first upTo entries durable: it returns once an fsync
// that began after they were appended has ended. When an fsync is
// running, it waits for it and then, unless that one covered them, one
// caller runs the next fsync for everything appended meanwhile.
func (j *journal) sync(upTo int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for {
		if j.err != nil {
			return j.err
		}
		if j.synced >= upTo || j.f == nil {
			return nil
		}
		if j.syncing {
			j.cond.Wait()
			continue
		}
		j.err = j.fsync()
		j.cond.Broadcast()
	}
}

// fsync flushes the buffer and fsyncs the file, without holding mu
// during the fsync so that others can append meanwhile. Called, and
// returns, with mu held.
func (j *journal) fsync() error {
	if err := j.w.Flush(); err != nil {
		return err
	}
	covers, f := j.added, j.f
	j.syncing = true
	j.mu.Unlock()
	err := j.fsyncFile(f)
	j.mu.Lock()
	j.syncing = false
	j.syncs++
	if err == nil {
		j.synced = max(j.synced, covers)
	}
	return err
}

// syncAll makes every entry appended so far durable.
func (j *journal) syncAll() error {
	j.mu.Lock()
	upTo := j.added
	j.mu.Unlock()
	return j.sync(upTo)
}

// close syncs and closes the journal; later appends fail. Closing twice
// is a no-op.
func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.syncing {
		j.cond.Wait()
	}
	if j.closed {
		return nil
	}
	j.closed = true
	if j.f == nil {
		return j.err
	}
	err := j.err
	if err == nil {
		err = j.w.Flush()
	}
	if err == nil {
		err = j.f.Sync()
	}
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.f = nil
	j.err = firstErr(j.err, err)
	return err
}

// openJournal opens the journal at path for reading and returns its
// entries. A torn last entry, written in part when a run was killed, is
// left out: it was never synced, so nothing relied on it.
func openJournal(path string, settings [32]byte) (f *os.File, entries *io.SectionReader, n int64, err error) {
	f, err = os.Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	head := make([]byte, headerSize)
	if _, err := io.ReadFull(f, head); err != nil {
		f.Close()
		return nil, nil, 0, errShort
	}
	if _, err := parseHeader(head, journalMagic, settings); err != nil {
		f.Close()
		return nil, nil, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, 0, err
	}
	n = (info.Size() - headerSize) / entrySize
	return f, io.NewSectionReader(f, headerSize, n*entrySize), n, nil
}
