package deadletter

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/hubsync/hubsync/source"
)

// Scan reads the entries of the dead-letter file at path that start at or
// after byte offset from (a Size returned by an earlier run, or 0) and calls
// fn with the source line of each, in file order; it stops at fn's first
// error and returns it. A missing file has no entries; a path that is not a
// regular file is refused as Open refuses it.
//
// Scan is meant for the entries written after the last checkpoint, which a
// crash may have left incomplete: it ignores an incomplete last entry, and
// skips entries that do not parse or lack a valid line, rather than trust them.
func Scan(path string, format source.Format, from int64, fn func(line int64) error) error {
	f, _, err := openRegular(path, os.O_RDONLY, 0, false)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("scan dead-letter file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("scan dead-letter file: %w", err)
	}
	switch format {
	case source.CSV:
		err = scanCSV(f, st.Size(), from, fn)
	case source.JSONL:
		err = scanJSONL(f, st.Size(), from, fn)
	default:
		err = fmt.Errorf("unknown format %v", format)
	}
	if err != nil {
		return fmt.Errorf("scan dead-letter file %s: %w", path, err)
	}
	return nil
}

func scanCSV(f *os.File, size, from int64, fn func(int64) error) error {
	hr := csv.NewReader(bufio.NewReader(io.NewSectionReader(f, 0, size)))
	header, err := hr.Read()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	lineCol := slices.Index(header, "_source_line")
	if lineCol < 0 {
		return fmt.Errorf("no _source_line column: not a dead-letter file")
	}
	start := max(from, hr.InputOffset())
	cr := csv.NewReader(bufio.NewReader(io.NewSectionReader(f, start, size-start)))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		end := start + cr.InputOffset()
		if end == size && !endsWithNewline(f, size) {
			return nil // incomplete last entry
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			continue
		}
		if err != nil {
			return err
		}
		if len(row) != len(header) {
			continue
		}
		line, err := strconv.ParseInt(row[lineCol], 10, 64)
		if err != nil || line < 1 {
			continue
		}
		if err := fn(line); err != nil {
			return err
		}
	}
}

func scanJSONL(f *os.File, size, from int64, fn func(int64) error) error {
	br := bufio.NewReader(io.NewSectionReader(f, from, size-from))
	for {
		b, err := br.ReadBytes('\n')
		if err == io.EOF {
			return nil // nothing more, or an incomplete last entry
		}
		if err != nil {
			return err
		}
		var e struct {
			Error *struct {
				Line int64 `json:"line"`
			} `json:"_error"`
		}
		if len(bytes.TrimSpace(b)) == 0 || json.Unmarshal(b, &e) != nil || e.Error == nil || e.Error.Line < 1 {
			continue
		}
		if err := fn(e.Error.Line); err != nil {
			return err
		}
	}
}

func endsWithNewline(f io.ReaderAt, size int64) bool {
	var b [1]byte
	_, err := f.ReadAt(b[:], size-1)
	return err == nil && b[0] == '\n'
}
