package syncstate

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hubsync/hubsync/checkpoint"
)

// Reset renames the folder away under the lock, then removes it: a run
// holding the target makes it refuse, and a folder a killed Reset left
// renamed is neither listed nor opened, and is removed.
func TestResetRenamesFirst(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, Options{}, rows("1", "2"), nil)
	id := runOnceID(t, dir)

	s := openStore(t, dir, calls, Options{})
	var locked *checkpoint.LockedError
	if err := Reset(dir, id); !errors.As(err, &locked) {
		t.Fatalf("Reset while a run holds the target: %v, want a *checkpoint.LockedError", err)
	}
	if got := s.Info().Records; got != 2 {
		t.Errorf("the run sees %d records after a refused Reset, want 2", got)
	}
	s.Close()

	// A Reset killed between its rename and its removal.
	left := filepath.Join(dir, id+deletingMark+"killed")
	if err := os.Rename(filepath.Join(dir, id), left); err != nil {
		t.Fatal(err)
	}
	if infos, err := List(dir); err != nil || len(infos) != 0 {
		t.Errorf("List: %+v, %v; want no target", infos, err)
	}
	if err := Reset(dir, id+deletingMark+"killed"); err == nil {
		t.Error("Reset of a folder being removed succeeded")
	}
	if sent, _ := runOnce(t, dir, Options{}, rows("1", "2"), nil); len(sent) != 2 {
		t.Errorf("after the Reset a run sent %v, want every record", sent)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("the folder left by the killed Reset is still there: %v", err)
	}

	if err := Reset(dir, id); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("after Reset the state dir holds %v", entries)
	}
}

// Without file locks a sync state refuses to open, and Reset too: two
// runs would fold over each other's confirmations.
func TestNoFileLocks(t *testing.T) {
	noLocks := func(string) (*checkpoint.JobLock, error) { return nil, checkpoint.ErrLockUnsupported }
	dir := t.TempDir()
	if s, err := open(calls, Options{Dir: dir}, noLocks); !errors.Is(err, ErrLockUnsupported) {
		if s != nil {
			s.Close()
		}
		t.Errorf("Open: %v, want ErrLockUnsupported", err)
	}
	s, err := open(calls, Options{Dir: dir, ReadOnly: true}, noLocks)
	if err != nil {
		t.Errorf("read-only Open, which takes no lock: %v", err)
	} else {
		s.Close()
	}
	runOnce(t, dir, Options{}, rows("1"), nil)
	if err := reset(dir, runOnceID(t, dir), noLocks); !errors.Is(err, ErrLockUnsupported) {
		t.Errorf("Reset: %v, want ErrLockUnsupported", err)
	}
}
