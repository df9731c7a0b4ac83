package syncstate

import (
	"bufio"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
)

// memSource yields a sorted run held in memory.
type memSource struct {
	run []seqEntry
}

func (m *memSource) next() (Entry, bool, error) {
	if len(m.run) == 0 {
		return Entry{}, false, nil
	}
	e := m.run[0].Entry
	m.run = m.run[1:]
	return e, true, nil
}

// fileSource yields the entries of a sorted file, read sequentially.
type fileSource struct {
	r    *bufio.Reader
	left int64
	buf  [entrySize]byte
}

func newFileSource(r io.Reader, n int64) *fileSource {
	return &fileSource{r: bufio.NewReaderSize(r, 64<<10), left: n}
}

func (f *fileSource) next() (Entry, bool, error) {
	if f.left == 0 {
		return Entry{}, false, nil
	}
	if _, err := io.ReadFull(f.r, f.buf[:]); err != nil {
		return Entry{}, false, err
	}
	f.left--
	return getEntry(f.buf[:]), true, nil
}

// stateSource yields the entries of a state file and checks them as it
// goes: key order, and at the end the checksum, so that a fold never
// turns a damaged state into a new one that looks sound.
type stateSource struct {
	f    *os.File // nil when there is no state yet
	src  *fileSource
	want uint32
	crc  uint32
	prev uint64
	read bool
}

// openStateSource opens the state file at path and checks its header
// and size. No file yields no entries.
func openStateSource(path string, settings [32]byte) (*stateSource, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &stateSource{src: &fileSource{}}, nil
	}
	if err != nil {
		return nil, err
	}
	h, err := readStateHeader(f, settings)
	if err != nil {
		f.Close()
		return nil, err
	}
	n := int64(h.count)
	return &stateSource{f: f, src: newFileSource(io.NewSectionReader(f, headerSize, n*entrySize), n), want: h.crc}, nil
}

// readStateHeader reads the header of the state file f and checks that
// the file's size matches its entry count.
func readStateHeader(f *os.File, settings [32]byte) (header, error) {
	head := make([]byte, headerSize)
	if _, err := f.ReadAt(head, 0); err != nil {
		return header{}, errShort
	}
	h, err := parseHeader(head, stateMagic, settings)
	if err != nil {
		return h, err
	}
	info, err := f.Stat()
	if err != nil {
		return h, err
	}
	if h.count > 1<<32-1 || info.Size() != headerSize+int64(h.count)*entrySize {
		return h, errCount
	}
	return h, nil
}

func (s *stateSource) next() (Entry, bool, error) {
	e, ok, err := s.src.next()
	if err != nil {
		return e, ok, err
	}
	if !ok {
		if s.crc != s.want {
			return e, false, errChecksum
		}
		return e, false, nil
	}
	s.crc = crc32.Update(s.crc, crcTable, s.src.buf[:])
	if s.read && e.Key <= s.prev {
		return e, false, errOrder
	}
	s.prev, s.read = e.Key, true
	return e, true, nil
}

func (s *stateSource) close() {
	if s.f != nil {
		s.f.Close()
	}
}

// stateCount reads the entry count from the header of the state file at
// path: 0 when there is none.
func stateCount(path string, settings [32]byte) (int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h, err := readStateHeader(f, settings)
	return int64(h.count), err
}

// keptSource yields the entries of src whose index keep accepts. It
// reads every entry of src, so that a stateSource still checks them all.
type keptSource struct {
	src  source
	keep func(i int64) bool
	i    int64
}

func (k *keptSource) next() (Entry, bool, error) {
	for {
		e, ok, err := k.src.next()
		if !ok || err != nil {
			return e, ok, err
		}
		i := k.i
		k.i++
		if k.keep(i) {
			return e, true, nil
		}
	}
}
