//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package checkpoint

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

// Lock takes the job lock at path, creating the file if needed, without
// waiting: when another process holds it, it returns a *LockedError naming
// that process. Take it before reading the checkpoint or touching any of
// the job's files, and hold it until the run ends.
//
// It is an flock on the file, which the kernel drops when the process
// dies. The file is opened without following a symbolic link, and a named
// pipe or a device there is refused rather than waited on.
func Lock(path string) (*JobLock, error) {
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("lock job: %s is a symbolic link, which hubsync does not follow", path)
		}
		if err != nil {
			return nil, fmt.Errorf("lock job: %w", err)
		}
		info, err := f.Stat()
		if err == nil && !info.Mode().IsRegular() {
			err = fmt.Errorf("%s is not a regular file", path)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock job: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			defer f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				b, _ := io.ReadAll(io.LimitReader(f, 256))
				pid, since := parseLockRecord(string(b))
				return nil, &LockedError{Path: path, PID: pid, Since: since}
			}
			return nil, fmt.Errorf("lock job %s: %w", path, err)
		}
		// Someone may have replaced the file between the open and the
		// lock; a lock on a file no longer at path excludes nobody.
		if now, err := os.Lstat(path); err != nil || !os.SameFile(info, now) {
			f.Close()
			continue
		}
		// A file of something else under the lock's name (a slip of
		// --checkpoint) must not be overwritten.
		b, err := io.ReadAll(io.LimitReader(f, 256))
		if err == nil && len(b) > 0 && !strings.HasPrefix(string(b), "pid ") {
			err = fmt.Errorf("%s exists and is not a hubsync lock file; move it away or choose another --checkpoint", path)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock job: %w", err)
		}
		if err := f.Truncate(0); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock job: %w", err)
		}
		if _, err := f.WriteAt([]byte(lockRecord(os.Getpid(), time.Now())), 0); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock job: %w", err)
		}
		return &JobLock{f: f}, nil
	}
}
