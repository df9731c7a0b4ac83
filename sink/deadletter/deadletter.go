// Package deadletter writes the dead-letter file: every record that could not
// be applied in HubSpot, in the input's own format, with the reason, so that
// after fixing them the user can run hubsync on the dead-letter file itself
// (the source readers skip the columns and key added here).
//
// A CSV dead-letter file has the input's header (less any dead-letter columns
// it had) plus _error_code, _error_message and _source_line. A JSONL one holds
// each original object with an "_error" object added as its last key. The CSV
// rows are written with encoding/csv, not gocsv: gocsv maps a row onto a
// struct's fields, and these columns are the input's, known only at run time.
//
// It writes only to a regular file, never through a symbolic link, and
// MoveAside puts an earlier run's file out of the way without ever replacing
// another file.
//
// The package starts no goroutines and does no logging.
package deadletter

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hubsync/hubsync/source"
)

// ErrHeaderMismatch means an existing CSV dead-letter file has another header
// than the one this run would write.
var ErrHeaderMismatch = errors.New("dead-letter file has another header")

// Option configures Open.
type Option func(*config)

type config struct{ idColumn string }

// WithIDColumn names the CSV id column (default "id"): it is the cell kept
// when a row's cells cannot be written in their columns.
func WithIDColumn(name string) Option { return func(c *config) { c.idColumn = name } }

// Writer appends entries to a dead-letter file. It is not safe for
// concurrent use: one committer owns it.
type Writer struct {
	path  string
	f     *os.File
	buf   *bufio.Writer
	size  int64 // bytes in the file, buffered ones included
	csv   *csvLayout
	entry bytes.Buffer // the entry being written
}

// Open opens the dead-letter file at path for appending, creating it if
// needed; it never discards what earlier runs wrote. It refuses, with an
// error wrapping ErrNotRegular, a path that is a symbolic link (even one
// to a regular file), a directory, a named pipe, a socket or a device. The one exception is an
// incomplete last entry, which only a crash in the middle of a write leaves:
// Open cuts it off, since its record was never checkpointed and will be
// written again.
//
// For CSV, inputHeader is the input file's header. Open writes the
// dead-letter header if the file is empty, and otherwise checks that the
// file's first row is that header, returning an error wrapping
// ErrHeaderMismatch if it is not.
func Open(path string, format source.Format, inputHeader []string, opts ...Option) (*Writer, error) {
	cfg := config{idColumn: source.DefaultIDColumn}
	for _, o := range opts {
		o(&cfg)
	}
	if format != source.CSV && format != source.JSONL {
		return nil, fmt.Errorf("open dead-letter file %s: unknown format %v", path, format)
	}
	f, created, err := openRegular(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600, false)
	if err != nil {
		return nil, fmt.Errorf("open dead-letter file: %w", err)
	}
	if created {
		// Make the new file's name durable, so Sync's promise holds.
		if err := syncDir(filepath.Dir(path)); err != nil {
			f.Close()
			return nil, fmt.Errorf("open dead-letter file %s: %w", path, err)
		}
	}
	w := &Writer{path: path, f: f, buf: bufio.NewWriterSize(f, 64<<10)}
	if format == source.CSV {
		w.csv = newCSVLayout(inputHeader, cfg.idColumn)
	}
	if err := w.init(); err != nil {
		f.Close()
		return nil, fmt.Errorf("open dead-letter file %s: %w", path, err)
	}
	return w, nil
}

func (w *Writer) init() error {
	st, err := w.f.Stat()
	if err != nil {
		return err
	}
	end := st.Size()
	if w.csv != nil {
		end, err = csvEntriesEnd(io.NewSectionReader(w.f, 0, end))
	} else {
		end, err = linesEnd(w.f, end)
	}
	if err != nil {
		return err
	}
	if end < st.Size() {
		if err := w.f.Truncate(end); err != nil {
			return fmt.Errorf("cut off incomplete last entry: %w", err)
		}
	}
	w.size = end
	if w.csv == nil {
		return nil
	}
	if end == 0 {
		return w.writeCSVHeader()
	}
	return w.csv.check(io.NewSectionReader(w.f, 0, end))
}

// Write adds an entry for rec, which failed with code and message. It is
// buffered: call Sync to make it durable.
func (w *Writer) Write(rec *source.Record, code, message string) error {
	w.entry.Reset()
	var err error
	if w.csv != nil {
		err = w.csv.entry(&w.entry, rec, code, message)
	} else {
		err = jsonlEntry(&w.entry, rec, code, message)
	}
	if err != nil {
		return fmt.Errorf("write dead-letter entry for line %d: %w", rec.Line, err)
	}
	return w.put()
}

func (w *Writer) put() error {
	n, err := w.buf.Write(w.entry.Bytes())
	w.size += int64(n)
	if err != nil {
		return fmt.Errorf("write dead-letter file: %w", err)
	}
	return nil
}

// Sync writes the buffered entries and fsyncs the file: once it returns nil,
// every entry written so far is durable.
func (w *Writer) Sync() error {
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("flush dead-letter file: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync dead-letter file: %w", err)
	}
	return nil
}

// Size returns the file's size in bytes, buffered entries included: after a
// successful Sync, the offset at which the next entry will start.
func (w *Writer) Size() int64 { return w.size }

// Close syncs and closes the file. Calling it again does nothing.
func (w *Writer) Close() error {
	if w.f == nil {
		return nil
	}
	err := w.Sync()
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close dead-letter file: %w", cerr)
	}
	w.f = nil
	return err
}

// linesEnd returns the offset just past the last '\n' of the file of the
// given size: where its complete lines end.
func linesEnd(f io.ReaderAt, size int64) (int64, error) {
	buf := make([]byte, 4096)
	for end := size; end > 0; {
		start := max(0, end-int64(len(buf)))
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil {
			return 0, fmt.Errorf("read end of file: %w", err)
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
