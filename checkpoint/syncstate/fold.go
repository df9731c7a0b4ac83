package syncstate

import (
	"bufio"
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/hubsync/hubsync/checkpoint"
)

// runEntries is how many journal entries a fold sorts in memory at once:
// 1M entries of 32 bytes (the entry and its place in the journal), 32 MiB.
const runEntries = 1 << 20

// seqEntry is a journal entry and its place in the journal, so that a
// sort by key can keep the last confirmation of each key.
type seqEntry struct {
	Entry
	seq int64
}

// fold merges the journal into the state and removes the journal: the
// journal is sorted in runs of at most runSize entries, the runs and the
// old state are merged into a new generation beside the old one, which
// is fsynced and renamed over it. A journal entry wins over a state entry
// with the same key, a later journal entry over an earlier one. Folding
// the same journal twice gives the same state, so a crash anywhere in a
// fold is safe. When keep is not nil, the old state's entry i is kept
// only if keep(i); otherwise, without a journal, fold does nothing.
func (t *files) fold(runSize int, keep func(i int64) bool) error {
	jf, journal, n, err := openJournal(t.journalPath(), t.settings)
	noJournal := errors.Is(err, fs.ErrNotExist)
	var entries io.Reader = journal
	switch {
	case noJournal && keep == nil:
		return nil
	case noJournal:
		n, entries = 0, strings.NewReader("")
	case err != nil:
		return t.wrap(t.journalPath(), err)
	}
	if n > 0 || keep != nil {
		err = t.merge(entries, n, runSize, keep)
	}
	if jf != nil {
		jf.Close()
	}
	if err != nil || noJournal {
		return err
	}
	if err := os.Remove(t.journalPath()); err != nil {
		return fmt.Errorf("sync state %s: %w", t.id, err)
	}
	return nil
}

// merge writes the new generation: the old state, less the entries keep
// refuses, merged with the n journal entries read from entries.
func (t *files) merge(entries io.Reader, n int64, runSize int, keep func(int64) bool) error {
	old, err := openStateSource(t.statePath(), t.settings)
	if err != nil {
		return t.wrap(t.statePath(), err)
	}
	defer old.close()
	runs, cleanup, err := sortRuns(t.dir, entries, n, runSize)
	defer cleanup()
	if err != nil {
		return err
	}
	out, err := checkpoint.CreateAtomic(t.statePath(), 0o600)
	if err != nil {
		return err
	}
	defer out.Abort()
	w := &stateWriter{w: bufio.NewWriterSize(out, 1<<20), h: header{magic: stateMagic, settings: t.settings}}
	if _, err := w.w.Write(w.h.bytes()); err != nil {
		return err
	}
	var base source = old
	if keep != nil {
		base = &keptSource{src: old, keep: keep}
	}
	if err := mergeSources(w.write, append([]source{base}, runs...)); err != nil {
		return t.wrap(t.statePath(), err)
	}
	if err := w.w.Flush(); err != nil {
		return err
	}
	if _, err := out.WriteAt(w.h.bytes(), 0); err != nil {
		return err
	}
	return out.Commit()
}

// stateWriter writes entries after the header, counting them and
// summing them into the header.
type stateWriter struct {
	w   *bufio.Writer
	h   header
	buf [entrySize]byte
}

func (s *stateWriter) write(e Entry) error {
	e.put(s.buf[:])
	s.h.count++
	s.h.crc = crc32.Update(s.h.crc, crcTable, s.buf[:])
	_, err := s.w.Write(s.buf[:])
	return err
}

// sortRuns reads the n journal entries in runs of at most runSize, sorts
// each by key keeping the last entry of a key, and returns them as
// sources in journal order. Every run but the last goes to a temporary
// file that cleanup removes.
func sortRuns(dir string, r io.Reader, n int64, runSize int) (runs []source, cleanup func(), err error) {
	var temps []*os.File
	cleanup = func() {
		for _, f := range temps {
			f.Close()
			os.Remove(f.Name())
		}
	}
	buf := make([]seqEntry, min(n, int64(runSize)))
	br := bufio.NewReaderSize(r, 64<<10)
	var b [entrySize]byte
	for seq := int64(0); seq < n; {
		run := buf[:min(n-seq, int64(runSize))]
		for i := range run {
			if _, err := io.ReadFull(br, b[:]); err != nil {
				return nil, cleanup, err
			}
			run[i] = seqEntry{getEntry(b[:]), seq}
			seq++
		}
		run = sortRun(run)
		if seq == n {
			return append(runs, &memSource{run: run}), cleanup, nil
		}
		f, err := os.CreateTemp(dir, "fold-run-*")
		if err != nil {
			return nil, cleanup, err
		}
		temps = append(temps, f)
		if err := writeRun(f, run); err != nil {
			return nil, cleanup, err
		}
		runs = append(runs, newFileSource(io.NewSectionReader(f, 0, int64(len(run))*entrySize), int64(len(run))))
	}
	return runs, cleanup, nil
}

// sortRun sorts run by key and keeps only the last entry of each key.
func sortRun(run []seqEntry) []seqEntry {
	slices.SortFunc(run, func(a, b seqEntry) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.seq, b.seq))
	})
	out := run[:0]
	for i, e := range run {
		if i+1 < len(run) && run[i+1].Key == e.Key {
			continue
		}
		out = append(out, e)
	}
	return out
}

func writeRun(f *os.File, run []seqEntry) error {
	w := bufio.NewWriterSize(f, 64<<10)
	var b [entrySize]byte
	for _, e := range run {
		e.put(b[:])
		if _, err := w.Write(b[:]); err != nil {
			return err
		}
	}
	return w.Flush()
}

// source yields entries in increasing key order, each key once.
type source interface {
	next() (e Entry, ok bool, err error)
}

// mergeSources writes the entries of sources to emit in key order, one
// entry a key: of entries with the same key, that of the latest source
// wins.
func mergeSources(emit func(Entry) error, sources []source) error {
	h := make(cursorHeap, 0, len(sources))
	for prio, src := range sources {
		c := &cursor{src: src, prio: prio}
		if ok, err := c.advance(); err != nil {
			return err
		} else if ok {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	for len(h) > 0 {
		key := h[0].cur.Key
		if err := emit(h[0].cur); err != nil {
			return err
		}
		for len(h) > 0 && h[0].cur.Key == key {
			ok, err := h[0].advance()
			if err != nil {
				return err
			}
			if ok {
				heap.Fix(&h, 0)
			} else {
				heap.Pop(&h)
			}
		}
	}
	return nil
}

// cursor is a source and its current entry.
type cursor struct {
	src  source
	cur  Entry
	prio int
}

func (c *cursor) advance() (bool, error) {
	e, ok, err := c.src.next()
	c.cur = e
	return ok, err
}

// cursorHeap orders cursors by key, then the latest source first.
type cursorHeap []*cursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	return a.cur.Key < b.cur.Key || a.cur.Key == b.cur.Key && a.prio > b.prio
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
