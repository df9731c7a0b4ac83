package deadletter

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"
	"time"
)

// ErrNotRegular means a dead-letter path names something other than a
// regular file: a symbolic link, a directory, a named pipe, a socket or a
// device. Writing entries through any of them could lose them or block.
var ErrNotRegular = errors.New("not a regular file")

// openRegular opens the regular file at path with flag, and reports whether
// it created it. It refuses whatever else path names, a symbolic link
// included: a link would send the entries wherever it points, and a named
// pipe would block the run before it sends anything. The check before the
// open says what was found; opening without following a link, and without
// waiting for a pipe's other end, and checking the open file again close
// the gap in which someone could swap the file.
func openRegular(path string, flag int, perm os.FileMode) (f *os.File, created bool, err error) {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		created = flag&os.O_CREATE != 0
	case err != nil:
		return nil, false, err
	case !info.Mode().IsRegular():
		return nil, false, notRegular(path, info.Mode())
	}
	f, err = os.OpenFile(path, flag|openFlags, perm)
	if errors.Is(err, syscall.ELOOP) {
		return nil, false, notRegular(path, fs.ModeSymlink)
	}
	if err != nil {
		return nil, false, err
	}
	if info, err = f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = notRegular(path, info.Mode())
		}
		return nil, false, err
	}
	return f, created, nil
}

// notRegular is the error for a path that names mode's kind of file.
func notRegular(path string, mode fs.FileMode) error {
	if mode&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link, which hubsync does not follow for a dead-letter file: %w", path, ErrNotRegular)
	}
	return fmt.Errorf("%s is %s: %w", path, Kind(mode), ErrNotRegular)
}

// Kind says in words what kind of file mode is, as "a directory", for
// messages about a path that must be a regular file.
func Kind(mode fs.FileMode) string {
	switch {
	case mode.IsRegular():
		return "a regular file"
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// MoveAside renames the dead-letter file at path out of the way, to
// PATH.prev-TIME (TIME in UTC to the second), and returns its new name, or
// "" when there was nothing to move: no file, or an empty one. It moves
// only a regular file, and returns an error wrapping ErrNotRegular for
// anything else, a symbolic link included.
//
// It never replaces a file: when the name is taken, by an earlier move in
// the same second say, it tries PATH.prev-TIME-2, -3, and so on. See
// moveAside for how.
func MoveAside(path string) (string, error) {
	return moveAside(path, time.Now())
}

// maxMoveTries bounds the suffixes MoveAside tries in one second.
const maxMoveTries = 1000

// moveAside is MoveAside at time now. A rename would silently replace a
// file that took the new name since it was checked, so the new name is made
// with a hard link, which fails when the name exists, and the old name is
// removed after. A crash between the two leaves the file under both names,
// never under neither; the next run then moves the old name aside again, to
// a name of its own. Where the file system has no hard links, it falls back
// to a rename after checking that the name is free, which only another
// process creating that very name at that instant could defeat.
func moveAside(path string, now time.Time) (string, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if !info.Mode().IsRegular() {
		return "", notRegular(path, info.Mode())
	}
	if info.Size() == 0 {
		return "", nil
	}
	base := path + ".prev-" + now.UTC().Format("20060102T150405Z")
	for i := 1; i <= maxMoveTries; i++ {
		to := base
		if i > 1 {
			to += "-" + strconv.Itoa(i)
		}
		err := os.Link(path, to)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			err = renameIfFree(path, to)
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			if err != nil {
				return "", err
			}
			return to, nil
		}
		if err := os.Remove(path); err != nil {
			return "", fmt.Errorf("remove the old name after linking it to %s: %w", to, err)
		}
		return to, nil
	}
	return "", fmt.Errorf("%s: %d names taken in one second", base, maxMoveTries)
}

// renameIfFree renames from to to unless to exists.
func renameIfFree(from, to string) error {
	if _, err := os.Lstat(to); err == nil {
		return fs.ErrExist
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.Rename(from, to)
}
