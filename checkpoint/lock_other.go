//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package checkpoint

// Lock returns ErrLockUnsupported: this system has no flock, and a lock
// file that a crash would leave behind would stop every later run.
func Lock(path string) (*JobLock, error) {
	return nil, ErrLockUnsupported
}
