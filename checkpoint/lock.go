package checkpoint

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// LockedError says another process holds a job's lock. PID and Since come
// from the lock file and are zero when the holder had not written them yet.
type LockedError struct {
	Path  string
	PID   int
	Since time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another run of this job is in progress, %s (lock %s): wait for it to end, or stop it; a scheduler must not start a run while the last one is still running", e.Holder(), e.Path)
}

// Holder says which process holds the lock, as "pid N since T".
func (e *LockedError) Holder() string {
	if e.PID <= 0 {
		return "pid unknown, just started"
	}
	return fmt.Sprintf("pid %d since %s", e.PID, e.Since.Local().Format(time.DateTime))
}

// ErrLockUnsupported is returned by Lock on systems without flock: the run
// may go on, but nothing stops a second run of the same job.
var ErrLockUnsupported = errors.New("this system has no file locks (flock)")

// JobLock is held by the one run of a job. The operating system releases
// it when the process ends, however it ends, so a crash never leaves a
// stale lock behind.
type JobLock struct {
	f *os.File
}

// Close releases the lock. It is safe to call on a nil lock. The lock file
// is left in place: removing it would let a run that opened it before the
// removal and one that creates it afresh both hold "the" lock.
func (l *JobLock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// lockRecord is what the holder writes into the lock file, for the message
// of a run that finds it locked.
func lockRecord(pid int, since time.Time) string {
	return fmt.Sprintf("pid %d\nsince %s\n", pid, since.UTC().Format(time.RFC3339))
}

// parseLockRecord reads what lockRecord wrote; missing parts stay zero.
func parseLockRecord(s string) (pid int, since time.Time) {
	for _, line := range strings.Split(s, "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "pid":
			pid, _ = strconv.Atoi(v)
		case "since":
			since, _ = time.Parse(time.RFC3339, v)
		}
	}
	return pid, since
}
