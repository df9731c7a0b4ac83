package syncstate

import (
	"errors"
	"fmt"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
)

// Target is what a sync state belongs to. Two runs share a state only
// when all four are the same.
type Target struct {
	Portal     string            // HubSpot portal (account) id
	Object     string            // object type, e.g. "communications"
	IDProperty string            // "" for the record id
	Settings   map[string]string // what shapes the values sent (mapping, --empty, ...)
	// Properties are the names of the properties the target writes. They
	// are not part of what the target is (the settings decide them); they
	// tell which other targets write the same values (Store.Stale).
	Properties []string
}

// Options say how a run uses the state.
type Options struct {
	Dir          string // the state dir (DefaultDir when empty)
	FullResync   bool   // every record is sent
	RefreshEvery int    // also send the unchanged records of a rotating 1/N; 0 = off
	ReadOnly     bool   // a dry run: no lock, no fold, no journal; Confirm/Finish error
}

// Summary is what Finish did.
type Summary struct {
	Records    int64 // entries in the new state
	NotInFile  int64 // entries of the old state no record of this run had
	Generation int64 // completed runs, this one included
}

// ErrReadOnly is returned by Confirm, Sync and Finish of a store opened
// ReadOnly, and by them after Finish.
var ErrReadOnly = errors.New("sync state opened read-only or finished")

// Store is the sync state of one target during one run. Changed is called
// by one goroutine, Confirm and Sync by one other, Intend by any number:
// Changed shares no data with the others, and they share the journal,
// which is safe for concurrent use.
type Store struct {
	files
	target     Target
	opts       Options
	meta       targetMeta
	lock       *checkpoint.JobLock // nil when ReadOnly
	gen        *generation
	seen       bitmap   // the entry's key was passed to Changed
	sent       bitmap   // Changed returned true for the entry's key
	journal    *journal // intents and confirmations; safe for concurrent use
	pending    pending  // ReadOnly: an unfolded journal's entries, after the state's
	lookupErr  error    // the first lookup that failed
	stale      bool     // send every record: another target wrote since (Stale)
	staleOther Info
	started    bool // a writable Open recorded its start: Close records the end
	lockFile   lockFunc
	finished   bool
	runSize    int // journal entries a fold sorts in memory at once
}

// Changed says whether the record of entry e must be sent: its key is not
// in the state, its fingerprint differs or is a tombstone (Intend), a
// record with its key was sent
// earlier in this run (so the last of repeated ids is what HubSpot keeps),
// it is in this run's refresh slice, or the run is a full resync. It
// blocks on one ReadAt at most; call it from one goroutine.
func (s *Store) Changed(e Entry) bool {
	if s.finished {
		return true
	}
	idx, fp, found, err := s.find(e.Key)
	if err != nil {
		s.lookupErr = firstErr(s.lookupErr, err)
		return true
	}
	if !found {
		return true
	}
	s.seen.set(idx)
	if s.opts.FullResync || s.stale || s.sent.has(idx) || fp != e.FP || fp == tombstone || s.refresh(e.Key) {
		s.sent.set(idx)
		return true
	}
	return false
}

// Seen notes that the record of key is in this run's input though it is
// not sent (it failed before sending): the state does not count it as no
// longer in the file. Like Changed, it is for the dispatcher's goroutine.
func (s *Store) Seen(key uint64) {
	if s.finished {
		return
	}
	idx, _, found, err := s.find(key)
	if err != nil {
		s.lookupErr = firstErr(s.lookupErr, err)
		return
	}
	if found {
		s.seen.set(idx)
	}
}

// find looks key up in the pending confirmations, then in the state. An
// entry's bits in seen and sent are at idx: a pending entry's come after
// the state's.
func (s *Store) find(key uint64) (idx int64, fp [16]byte, found bool, err error) {
	if i, fp, ok := s.pending.lookup(key); ok {
		return s.gen.count + int64(i), fp, true, nil
	}
	return s.gen.lookup(key)
}

// refresh says whether key is in this run's rotating 1/N: each key is
// once in every N generations.
func (s *Store) refresh(key uint64) bool {
	n := uint64(s.opts.RefreshEvery)
	return n > 0 && key%n == uint64(s.meta.Generation)%n
}

// Intend records, before the records of es are sent, that HubSpot may
// change them: a tombstone per entry (its key, a zero fingerprint) is
// appended to the journal and made durable before Intend returns. If the
// run then dies, or HubSpot's answer is lost or refuses a record, the
// tombstone stays the record's entry and it is sent again next run;
// Confirm later appends the fingerprint HubSpot applied, and the last
// entry of a key wins. Intend is safe for concurrent use, with itself and
// with Confirm and Sync: callers that arrive while an fsync runs share the
// next one. A ReadOnly store (a dry run, which sends nothing) records
// nothing and returns nil.
func (s *Store) Intend(es []Entry) error {
	if s.opts.ReadOnly || len(es) == 0 {
		return nil
	}
	tombs := make([]Entry, len(es))
	for i, e := range es {
		tombs[i] = Entry{Key: e.Key}
	}
	n, err := s.journal.add(tombs...)
	if err == nil {
		err = s.journal.sync(n)
	}
	return s.journalErr("record intents", err)
}

// Confirm records that HubSpot confirmed the values of e. Call it only
// for applied records, in the order they settled, from one goroutine; it
// is buffered until Sync.
func (s *Store) Confirm(e Entry) error {
	if s.opts.ReadOnly || s.finished {
		return ErrReadOnly
	}
	_, err := s.journal.add(e)
	return s.journalErr("confirm", err)
}

// Sync makes every confirmation so far durable. Call it before each
// checkpoint save, so that the state is never behind the checkpoint.
func (s *Store) Sync() error {
	if s.opts.ReadOnly || s.finished {
		return ErrReadOnly
	}
	return s.journalErr("sync journal", s.journal.syncAll())
}

// journalErr names the target in an error of the journal, and says
// ErrReadOnly for a journal closed by Finish or Close.
func (s *Store) journalErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errJournalClosed):
		return ErrReadOnly
	}
	return fmt.Errorf("sync state %s: %s: %w", s.id, what, err)
}

// Finish ends a run that passed every record of its input to Changed: it
// folds this run's confirmations into a new generation and counts the
// run. Call it once, after the last Confirm and Sync; Close follows.
// After a stale run (Stale), the new generation holds only what this run
// confirmed: the old entries may be stale still.
func (s *Store) Finish() (Summary, error) {
	if s.opts.ReadOnly || s.finished {
		return Summary{}, ErrReadOnly
	}
	s.finished = true
	sum := Summary{NotInFile: s.gen.count - s.seen.count()}
	if err := s.journal.close(); err != nil {
		return sum, fmt.Errorf("sync state %s: sync journal: %w", s.id, err)
	}
	var keep func(int64) bool
	if s.stale {
		// The old entries may be stale still (records not in this
		// file, invalid, or settled before a resume): keep only what
		// this run intended and confirmed.
		keep = func(int64) bool { return false }
	}
	if err := s.fold(s.runSize, keep); err != nil {
		return sum, err
	}
	records, err := stateCount(s.statePath(), s.settings)
	if err != nil {
		return sum, s.wrap(s.statePath(), err)
	}
	s.meta.Generation++
	s.meta.LastRun = time.Now().UTC()
	s.meta.ResyncBecause = ""
	if err := s.writeMeta(); err != nil {
		return sum, err
	}
	s.gen.count = records
	sum.Records, sum.Generation = records, s.meta.Generation
	if s.lookupErr != nil {
		return sum, fmt.Errorf("sync state %s: look up: %w", s.id, s.lookupErr)
	}
	return sum, nil
}

// Close releases the lock. A journal not folded by Finish is synced and
// stays for the next Open to fold. Close is idempotent.
func (s *Store) Close() error {
	var err error
	if s.journal != nil {
		err = s.journal.close()
	}
	if s.gen != nil {
		err = firstErr(err, s.gen.close())
	}
	if s.started {
		s.started = false
		s.meta.LastEnd = time.Now().UTC()
		err = firstErr(err, s.writeMeta())
	}
	err = firstErr(err, s.lock.Close())
	s.lock = nil
	s.finished = true
	return err
}

// firstErr returns the first error that is not nil.
func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
