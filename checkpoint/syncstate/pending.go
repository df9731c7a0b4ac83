package syncstate

import (
	"cmp"
	"errors"
	"io/fs"
	"slices"
)

// pending is, for a read-only store, the confirmations of a journal that
// a run left unfolded, sorted by key, the last of each key: the real run
// folds them before it starts, so a dry run must see them to count what
// it would send.
type pending []seqEntry

// readPending reads the journal at path, if any. A journal of more than
// one fold run is left out rather than held in the heap: the dry run then
// compares with the state before that journal, and its count of records
// to send may be off either way (one the journal changed and the file
// changes back looks unchanged to it).
func readPending(path string, settings [32]byte) (pending, error) {
	f, entries, n, err := openJournal(path, settings)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if n == 0 || n > runEntries {
		return nil, nil
	}
	runs, _, err := sortRuns("", entries, n, runEntries)
	if err != nil {
		return nil, err
	}
	return pending(runs[0].(*memSource).run), nil
}

// lookup finds key among the pending confirmations.
func (p pending) lookup(key uint64) (i int, fp [16]byte, found bool) {
	i, found = slices.BinarySearchFunc(p, key, func(e seqEntry, k uint64) int { return cmp.Compare(e.Key, k) })
	if found {
		fp = p[i].FP
	}
	return i, fp, found
}
