package main

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/sink/deadletter"
	"github.com/hubsync/hubsync/source"
)

// What a run does when the input is a new file but the job in its
// checkpoint is unfinished (--on-new-input).
const (
	newInputRefuse  = "refuse"  // stop with status 2: a person decides
	newInputRestart = "restart" // archive the unfinished job, start the new file
)

// defaultKeepArchives is how many archived checkpoints and dead-letter
// files of one job --keep-archives keeps: a week of nightly runs, enough to
// look back over a long weekend, while a job run every night for a year
// does not leave 365 of each behind.
const defaultKeepArchives = 7

// checkJobOptions checks --on-new-input and --keep-archives.
func checkJobOptions(o syncOptions) error {
	if o.OnNewInput != newInputRefuse && o.OnNewInput != newInputRestart {
		return fmt.Errorf("--on-new-input %q: want refuse or restart", o.OnNewInput)
	}
	if o.KeepArchives < 0 {
		return fmt.Errorf("--keep-archives %d: want a number of archives to keep, or 0 to keep them all", o.KeepArchives)
	}
	return nil
}

// lockJob takes the lock of the job whose checkpoint (or, for a dry run,
// dead-letter file) is at path: path.lock, which must not be another file
// of the sync. Where the system has no file locks it warns and returns a
// nil lock.
func lockJob(path string, o syncOptions, file string, log *zap.Logger) (*checkpoint.JobLock, error) {
	flag, explicit := "--checkpoint", o.Checkpoint != ""
	if o.DryRun {
		flag, explicit = "--dead-letter", o.DeadLetter != ""
	}
	l, err := lockFile(path, flag, explicit, o, file)
	if errors.Is(err, checkpoint.ErrLockUnsupported) {
		log.Warn("cannot lock the job: make sure the scheduler never starts two runs of it at once", zap.Error(err))
		return nil, nil
	}
	return l, err
}

// lockDeadLetter takes the lock of a real run's dead-letter file at path,
// path.lock, once the job's own is held. Two jobs whose config names one
// dead-letter file (two dated exports) would otherwise write it at once,
// and each would take the other's entries for its own when it resumes.
// Where the system has no file locks it returns a nil lock: lockJob has
// warned.
func lockDeadLetter(path string, o syncOptions, file string) (*checkpoint.JobLock, error) {
	l, err := lockFile(path, "--dead-letter", o.DeadLetter != "", o, file)
	var locked *checkpoint.LockedError
	switch {
	case errors.Is(err, checkpoint.ErrLockUnsupported):
		return nil, nil
	case errors.As(err, &locked):
		return nil, fmt.Errorf("the dead-letter file %s is being written by another run, of another job that names the same file (%s; lock %s): "+
			"give each job its own --dead-letter (config dead_letter:), or run them one after the other", path, locked.Holder(), locked.Path)
	}
	return l, err
}

// lockFile takes the lock path.lock, refusing a lock file that is another
// file of the sync; flag and explicit say how the user named path.
func lockFile(path, flag string, explicit bool, o syncOptions, file string) (*checkpoint.JobLock, error) {
	lock := syncPath{what: "the job's lock file", flag: flag, path: path + ".lock", output: true, explicit: explicit}
	if err := checkSyncPaths(append(syncPaths(o, file), lock)); err != nil {
		return nil, err
	}
	return checkpoint.Lock(lock.path)
}

// archiveName matches the names deadletter.MoveAside gives: the file's own
// name, ".prev-", the time in UTC to the second, and "-N" for the Nth name
// taken in the same second.
var archiveName = regexp.MustCompile(`^\.prev-(\d{8}T\d{6}Z)(?:-([1-9][0-9]{0,3}))?$`)

// archive moves the file at path aside (see deadletter.MoveAside), then
// removes the oldest of its archives beyond keep (0 keeps all). It returns
// the new name ("" when there was nothing to move) and the names removed.
func archive(path string, keep int) (string, []string, error) {
	moved, err := deadletter.MoveAside(path)
	if err != nil {
		return "", nil, fmt.Errorf("archive %s: %w", path, err)
	}
	pruned, err := pruneArchives(path, keep)
	return moved, pruned, err
}

// pruneArchives removes the oldest archives of path beyond the keep newest
// (0 keeps all) and returns their names. Only regular files named exactly
// as MoveAside names path's archives are candidates: hubsync never removes
// a file it did not archive itself.
func pruneArchives(path string, keep int) ([]string, error) {
	if keep == 0 {
		return nil, nil
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list archives of %s: %w", path, err)
	}
	type found struct {
		name, time string
		n          int
	}
	var all []found
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), base)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		m := archiveName.FindStringSubmatch(rest)
		if m == nil {
			continue
		}
		n := 1
		if m[2] != "" {
			n, _ = strconv.Atoi(m[2])
		}
		all = append(all, found{name: e.Name(), time: m[1], n: n})
	}
	if len(all) <= keep {
		return nil, nil
	}
	// Newest first: the time, then the order of names within one second.
	slices.SortFunc(all, func(a, b found) int {
		return cmp.Or(strings.Compare(b.time, a.time), cmp.Compare(b.n, a.n))
	})
	var pruned []string
	for _, f := range all[keep:] {
		p := filepath.Join(dir, f.name)
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return pruned, fmt.Errorf("remove old archive: %w", err)
		}
		pruned = append(pruned, p)
	}
	return pruned, nil
}

// dryRunDeadLetterPath is where a dry run of file writes what would fail:
// a name derived from the dead-letter path the real run would use
// (failed.csv → failed.dry-run.csv, NAME.dead-letter.csv →
// NAME.dry-run.dead-letter.csv), never that path itself. The README runs a
// dry run before the real one with the same config; writing the real
// job's file would hand the dry run's entries to the job when it resumes.
// It is the one place that names the file: syncPaths, lockJob and openDryRun
// all take it from here.
func dryRunDeadLetterPath(o syncOptions, file string, format source.Format) string {
	if o.DeadLetter == "" {
		return strings.Replace(defaultDeadLetterPath(file, format), ".dead-letter.", ".dry-run.dead-letter.", 1)
	}
	ext := filepath.Ext(o.DeadLetter)
	return strings.TrimSuffix(o.DeadLetter, ext) + ".dry-run" + ext
}

// archiveDeadLetter moves the dead-letter file at path aside before a run
// writes it afresh and prunes its archives beyond keep, saying what it did.
// A dry run uses it for its own file; a new job archives through
// archiveEarlier, which also archives the checkpoint.
func archiveDeadLetter(path string, keep int, log *zap.Logger) error {
	moved, pruned, err := archive(path, keep)
	if err != nil {
		return err
	}
	if moved != "" {
		log.Info("moved the earlier dead-letter file aside", zap.String("from", path), zap.String("to", moved))
	}
	if len(pruned) > 0 {
		log.Info("removed old archives of the dead-letter file", zap.Strings("removed", pruned), zap.Int("keep_archives", keep))
	}
	return nil
}
