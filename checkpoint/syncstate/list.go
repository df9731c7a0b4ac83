package syncstate

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
)

// Info is a target's state as List shows it.
type Info struct {
	ID         string // the folder's name, what Reset takes
	Dir        string
	Portal     string
	Object     string
	IDProperty string
	Settings   map[string]string
	Properties []string // the properties the target writes; none: unknown (any)
	Records    int64
	LastRun    time.Time // zero before the first finished run
	Generation int64     // finished runs
	Problem    string    // why the state cannot be used; empty when it can
}

// Info is the target as List shows it.
func (s *Store) Info() Info {
	info := s.meta.info(s.id, s.dir)
	if s.gen != nil {
		info.Records = s.gen.count
	}
	return info
}

// OtherSettings lists the states of the same portal, object and id
// property kept for other settings: when this target has no state yet,
// they say the settings changed.
func (s *Store) OtherSettings() []Info {
	all, _ := List(s.opts.Dir)
	var others []Info
	for _, info := range all {
		if info.ID != s.id && info.Portal == s.target.Portal && info.Object == s.target.Object && info.IDProperty == s.target.IDProperty {
			others = append(others, info)
		}
	}
	return others
}

// DefaultDir is the state dir: $XDG_STATE_HOME/hubsync, else
// ~/.local/state/hubsync.
func DefaultDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "hubsync"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("sync state dir: %w; set --state-dir", err)
		}
	}
	return filepath.Join(home, ".local", "state", "hubsync"), nil
}

// List returns the targets in the state dir, sorted by ID. It takes no
// lock and writes nothing. A dir that does not exist holds no targets.
func List(dir string) ([]Info, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list sync states: %w", err)
	}
	var infos []Info
	for _, e := range entries {
		if !e.IsDir() || isDeleting(e.Name()) {
			continue
		}
		if info, ok := readInfo(dir, e.Name()); ok {
			infos = append(infos, info)
		}
	}
	return infos, nil
}

// readInfo reads a target's folder; ok is false when it is not one.
func readInfo(dir, id string) (info Info, ok bool) {
	t := files{id: id, dir: filepath.Join(dir, id)}
	meta, err := readMeta(t.targetPath())
	if errors.Is(err, fs.ErrNotExist) {
		return info, false
	}
	if err != nil {
		return Info{ID: id, Dir: t.dir, Problem: t.wrap(t.targetPath(), err).Error()}, true
	}
	info = meta.info(id, t.dir)
	hex.Decode(t.settings[:], []byte(meta.SettingsID))
	info.Records, err = stateCount(t.statePath(), t.settings)
	if err != nil {
		info.Problem = t.wrap(t.statePath(), err).Error()
	}
	return info, true
}

// Reset removes the state of target id from the state dir, so that its
// next run sends every record. It refuses while a run holds the target's
// lock (a *checkpoint.LockedError), and on a system without file locks
// (ErrLockUnsupported). Under the lock, it renames the folder away before
// removing it, so that a run opening the target meanwhile finds either
// the whole folder (and its lock held) or none, never a half-removed one.
func Reset(dir, id string) error {
	return reset(dir, id, checkpoint.Lock)
}

func reset(dir, id string, lockFile lockFunc) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, `/\`) || isDeleting(id) {
		return fmt.Errorf("reset sync state: %q is not a target id (hubsync state list shows them)", id)
	}
	removeDeleting(dir)
	t := files{id: id, dir: filepath.Join(dir, id)}
	if _, err := os.Stat(t.targetPath()); err != nil {
		return fmt.Errorf("reset sync state: no target %s in %s (hubsync state list shows them)", id, dir)
	}
	lock, err := lockFile(t.lockPath())
	if errors.Is(err, checkpoint.ErrLockUnsupported) {
		return ErrLockUnsupported
	}
	if err != nil {
		return fmt.Errorf("reset sync state %s: %w", id, err)
	}
	defer lock.Close()
	gone := filepath.Join(dir, id+deletingMark+rand.Text())
	if err := os.Rename(t.dir, gone); err != nil {
		return fmt.Errorf("reset sync state %s: %w", id, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("reset sync state %s: %w", id, err)
	}
	if err := os.RemoveAll(gone); err != nil {
		return fmt.Errorf("reset sync state %s: dropped, but not all removed (the next run removes the rest): %w", id, err)
	}
	return nil
}

// removeDeleting removes what a Reset killed midway left: folders renamed
// away, which no run opens. It is best effort: what it leaves, the next
// Open or Reset removes.
func removeDeleting(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if isDeleting(e.Name()) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// deletingMark is in the name of a target's folder that Reset is
// removing: renamed first, so that no run ever opens it half-deleted.
const deletingMark = ".deleting-"

// isDeleting says whether the folder name is one Reset is removing.
func isDeleting(name string) bool { return strings.Contains(name, deletingMark) }
