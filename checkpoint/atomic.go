package checkpoint

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to the file at path atomically: a crash at any
// instant leaves either the old file or the new one, never a mix or a
// truncated file. It writes a temporary file in the same directory,
// fsyncs it, renames it over path and fsyncs the directory, so that the
// rename itself is durable. The file gets mode perm as given (no umask).
// On an error before the rename, the temporary file is removed and path
// is left as it was; if only the directory's fsync fails, path already
// holds the new data, which a crash may still undo.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	f, err := CreateAtomic(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// AtomicFile is a file being written that replaces the file at its path
// only when Commit succeeds, as WriteFile does for data in memory. Use it
// to stream a file too large to hold whole. It is not safe for
// concurrent use.
type AtomicFile struct {
	path string
	tmp  *os.File // nil after Commit or Abort
}

// CreateAtomic starts an atomic write of the file at path: a temporary
// file in the same directory, with mode perm as given (no umask). Write
// to it, then Commit, or Abort to leave path as it was.
func CreateAtomic(path string, perm fs.FileMode) (*AtomicFile, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &AtomicFile{path: path, tmp: tmp}, nil
}

// Write appends p to the temporary file.
func (a *AtomicFile) Write(p []byte) (int, error) { return a.tmp.Write(p) }

// WriteAt writes p at offset off of the temporary file, for a header
// whose fields are known only once the rest is written.
func (a *AtomicFile) WriteAt(p []byte, off int64) (int, error) { return a.tmp.WriteAt(p, off) }

// Commit fsyncs the temporary file, renames it over path and fsyncs the
// directory. On an error before the rename, the temporary file is removed
// and path is left as it was. If only the directory's fsync fails, path
// already holds the new data, which a crash may still undo: the caller
// must not count on either version then. Commit and Abort are no-ops
// once either has run.
func (a *AtomicFile) Commit() (err error) {
	if a.tmp == nil {
		return nil
	}
	tmp := a.tmp
	a.tmp = nil
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), a.path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(a.path))
}

// Abort removes the temporary file and leaves path as it was.
func (a *AtomicFile) Abort() {
	if a.tmp == nil {
		return
	}
	a.tmp.Close()
	os.Remove(a.tmp.Name())
	a.tmp = nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
