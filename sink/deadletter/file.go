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

// NotRegularError means a path names something other than a regular file:
// a symbolic link (where links are not followed), a directory, a named
// pipe, a socket or a device. It wraps ErrNotRegular.
type NotRegularError struct {
	Path string
	Mode fs.FileMode // what was found there
}

func (e *NotRegularError) Error() string {
	if e.Mode&fs.ModeSymlink != 0 {
		return fmt.Sprintf("%s is a symbolic link, which hubsync does not follow for a dead-letter file: %s", e.Path, ErrNotRegular)
	}
	return fmt.Sprintf("%s is %s: %s", e.Path, Kind(e.Mode), ErrNotRegular)
}

func (e *NotRegularError) Unwrap() error { return ErrNotRegular }

// notRegular is the error for a path that names mode's kind of file.
func notRegular(path string, mode fs.FileMode) error {
	return &NotRegularError{Path: path, Mode: mode}
}

// beforeOpen runs between the look at a path and its open: tests swap the
// file there.
var beforeOpen = func() {}

// OpenRegular opens the regular file at path with flag and perm, and
// refuses whatever else path names with a *NotRegularError. With follow
// unset it refuses a symbolic link too; with follow set it opens the
// regular file a link leads to. Every file hubsync opens by a name the
// user gave goes through it: the input, the token file and the dead-letter
// file (which must not be a link: a link would send the entries wherever
// it points).
//
// The look before the open says what was found without opening it:
// opening a named pipe would wait for a writer, and a device may never
// end. Someone may swap the file between that look and the open, so the
// open does not wait for a pipe's other end (O_NONBLOCK, which a regular
// file ignores) and, without follow, does not follow a link (O_NOFOLLOW);
// the open file is then looked at again. Where the system has neither
// flag, the look before the open is all there is against a swap.
func OpenRegular(path string, flag int, perm os.FileMode, follow bool) (*os.File, error) {
	f, _, err := openRegular(path, flag, perm, follow)
	return f, err
}

// openRegular is OpenRegular that also reports whether it created the file.
func openRegular(path string, flag int, perm os.FileMode, follow bool) (f *os.File, created bool, err error) {
	look, flags := os.Lstat, flag|nonblockFlag|nofollowFlag
	if follow {
		look, flags = os.Stat, flag|nonblockFlag
	}
	info, err := look(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		created = flag&os.O_CREATE != 0
	case err != nil:
		return nil, false, err
	case !info.Mode().IsRegular():
		return nil, false, notRegular(path, info.Mode())
	}
	beforeOpen()
	f, err = os.OpenFile(path, flags, perm)
	if !follow && errors.Is(err, syscall.ELOOP) {
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
