package syncstate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
)

// Open opens the state of target t. Unless o.ReadOnly, it takes the
// target's lock (a *checkpoint.LockedError when another run holds it) and
// folds the journal a run left unfolded. A damaged state or journal is a
// *DamagedError. Close the store when the run ends.
//
// It refuses (ErrLockUnsupported) on a system without file locks: two
// runs on one target would fold their journals over each other and could
// keep an older confirmation over a newer one.
func Open(t Target, o Options) (*Store, error) {
	return open(t, o, checkpoint.Lock)
}

// lockFunc takes a lock, as checkpoint.Lock does; the tests pass others.
type lockFunc func(path string) (*checkpoint.JobLock, error)

// ErrLockUnsupported is returned by Open and Reset on a system without
// file locks (checkpoint.ErrLockUnsupported), which a sync state needs.
var ErrLockUnsupported = fmt.Errorf("sync state: --only-changed needs file locks, so that two runs never fold over each other's confirmations: %w", checkpoint.ErrLockUnsupported)

func open(t Target, o Options, lock lockFunc) (*Store, error) {
	if t.Portal == "" || t.Object == "" {
		return nil, errors.New("sync state: the target needs a portal and an object type")
	}
	if o.RefreshEvery < 0 {
		return nil, fmt.Errorf("sync state: refresh every %d runs: want 0 (off) or more", o.RefreshEvery)
	}
	if o.Dir == "" {
		dir, err := DefaultDir(os.Getenv)
		if err != nil {
			return nil, err
		}
		o.Dir = dir
	}
	s := &Store{target: t, opts: o, runSize: runEntries, lockFile: lock}
	s.settings = settingsHash(t.Settings)
	s.id = targetID(t, s.settings)
	s.dir = filepath.Join(o.Dir, s.id)
	s.journal = newJournal(s.journalPath(), s.settings)
	openFiles := s.openWritable
	if o.ReadOnly {
		openFiles = s.openReadOnly
	}
	if err := openFiles(); err != nil {
		s.Close()
		return nil, err
	}
	s.seen = newBitmap(s.gen.count + int64(len(s.pending)))
	s.sent = newBitmap(s.gen.count + int64(len(s.pending)))
	return s, nil
}

func (s *Store) openWritable() error {
	removeDeleting(s.opts.Dir)
	lock, err := s.lockFolder()
	if err != nil {
		return err
	}
	s.lock = lock
	if err := s.loadMeta(); err != nil {
		return err
	}
	if err := removeTemps(s.dir); err != nil {
		return fmt.Errorf("sync state %s: %w", s.id, err)
	}
	if err := s.fold(runEntries, nil); err != nil {
		return err
	}
	if err := s.openGeneration(); err != nil {
		return err
	}
	s.checkStale()
	s.meta.Properties = slices.Clone(s.target.Properties)
	s.meta.LastStart = time.Now().UTC()
	if err := s.writeMeta(); err != nil {
		return err
	}
	s.started = true
	return nil
}

// lockFolder makes the target's folder and takes its lock. A Reset may
// rename the folder away between the two: the lock then finds no folder,
// and the run makes a new, empty one.
func (s *Store) lockFolder() (*checkpoint.JobLock, error) {
	for try := 0; ; try++ {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return nil, fmt.Errorf("sync state: %w", err)
		}
		lock, err := s.lockFile(s.lockPath())
		switch {
		case errors.Is(err, checkpoint.ErrLockUnsupported):
			return nil, ErrLockUnsupported
		case errors.Is(err, fs.ErrNotExist) && try < 3:
			continue
		case err != nil:
			return nil, fmt.Errorf("sync state %s: %w", s.id, err)
		}
		return lock, nil
	}
}

// openReadOnly writes nothing: a journal left unfolded is read into
// memory (pending) instead of folded.
func (s *Store) openReadOnly() error {
	if err := s.loadMeta(); err != nil {
		return err
	}
	p, err := readPending(s.journalPath(), s.settings)
	if err != nil {
		return s.wrap(s.journalPath(), err)
	}
	s.pending = p
	if err := s.openGeneration(); err != nil {
		return err
	}
	s.checkStale()
	return nil
}

func (s *Store) openGeneration() error {
	g, err := openGeneration(s.statePath(), s.settings)
	if err != nil {
		return s.wrap(s.statePath(), err)
	}
	s.gen = g
	return nil
}

// loadMeta reads target.json, or starts it (for Open to write).
func (s *Store) loadMeta() error {
	meta, err := readMeta(s.targetPath())
	switch {
	case errors.Is(err, os.ErrNotExist):
		s.meta = newMeta(s.target, s.settings)
		return nil
	case err != nil:
		return s.wrap(s.targetPath(), err)
	case !meta.is(s.target, s.settings):
		return s.wrap(s.targetPath(), errOtherSettings)
	}
	s.meta = meta
	return nil
}
