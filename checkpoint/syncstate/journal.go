package syncstate

import (
	"bufio"
	"io"
	"os"

	"github.com/hubsync/hubsync/checkpoint"
)

// journal appends the entries HubSpot confirmed, in the order it
// confirmed them, to the journal file. Entries are buffered until sync.
type journal struct {
	f   *os.File
	w   *bufio.Writer
	buf [entrySize]byte
}

// createJournal creates an empty journal at path: its header is written
// atomically, so a journal file always has a whole header.
func createJournal(path string, settings [32]byte) (*journal, error) {
	head := header{magic: journalMagic, settings: settings}.bytes()
	if err := checkpoint.WriteFile(path, head, 0o600); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	return &journal{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

func (j *journal) add(e Entry) error {
	e.put(j.buf[:])
	_, err := j.w.Write(j.buf[:])
	return err
}

// sync makes every added entry durable.
func (j *journal) sync() error {
	if err := j.w.Flush(); err != nil {
		return err
	}
	return j.f.Sync()
}

// close syncs and closes the journal.
func (j *journal) close() error {
	err := j.sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
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
