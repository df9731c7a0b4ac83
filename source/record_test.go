package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// recordOpts compares records by everything but their offsets (checked by
// checkLayout) and compares errors by code only.
var recordOpts = cmp.Options{
	cmpopts.IgnoreFields(Record{}, "Offset", "End", "EndLine"),
	cmpopts.EquateEmpty(),
	cmp.Transformer("code", func(e *RecordError) string {
		if e == nil {
			return ""
		}
		return e.Code
	}),
}

type reader interface{ Next() (Record, error) }

func readAll(t testing.TB, r reader) []Record {
	t.Helper()
	var recs []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if len(recs) > 1e6 {
			t.Fatal("Next does not end")
		}
		recs = append(recs, rec)
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkLayout checks that recs account for every byte of data from offset
// `from` on: each record starts at the line its Line says, records follow
// each other with only blank lines (as blank says) between them, and Raw is
// the record's bytes (or, for a record longer than max, their start).
func checkLayout(data []byte, from int64, recs []Record, blank func(line []byte) bool, max int) error {
	prev := from
	for i, r := range recs {
		if r.Offset < prev || r.End <= r.Offset || r.End > int64(len(data)) {
			return fmt.Errorf("record %d: offset %d end %d after %d in %d bytes", i, r.Offset, r.End, prev, len(data))
		}
		if err := checkGap(data[prev:r.Offset], blank); err != nil {
			return fmt.Errorf("before record %d at %d: %w", i, r.Offset, err)
		}
		if want := 1 + int64(bytes.Count(data[:r.Offset], []byte("\n"))); r.Line != want {
			return fmt.Errorf("record %d at offset %d: line %d, want %d", i, r.Offset, r.Line, want)
		}
		if want := 1 + int64(bytes.Count(data[:r.End], []byte("\n"))); r.EndLine != want {
			return fmt.Errorf("record %d ending at offset %d: end line %d, want %d", i, r.End, r.EndLine, want)
		}
		body := data[r.Offset:r.End]
		body = body[:len(body)-terminator(body, r.End == int64(len(data)))]
		switch {
		case r.Raw == nil:
		case len(body) > max:
			if r.Err == nil || !bytes.HasPrefix(body, r.Raw) {
				return fmt.Errorf("record %d: raw %q is not the start of %q", i, r.Raw, body)
			}
		case !bytes.Equal(body, r.Raw):
			return fmt.Errorf("record %d: raw %q, want %q", i, r.Raw, body)
		}
		prev = r.End
	}
	if err := checkGap(data[prev:], blank); err != nil {
		return fmt.Errorf("after the last record at %d: %w", prev, err)
	}
	return nil
}

func checkGap(gap []byte, blank func([]byte) bool) error {
	for len(gap) > 0 {
		n := bytes.IndexByte(gap, '\n') + 1
		if n == 0 {
			n = len(gap)
		}
		if !blank(gap[:n]) {
			return fmt.Errorf("skipped bytes %q are not a blank line", gap[:n])
		}
		gap = gap[n:]
	}
	return nil
}

// csvBlank is a line the CSV reader skips.
func csvBlank(line []byte) bool { return terminator(line, true) == len(line) }

// errReadSeeker fails every read after n bytes.
type errReadSeeker struct {
	r *bytes.Reader
	n int64
}

var errDisk = errors.New("disk on fire")

func (e *errReadSeeker) Read(p []byte) (int, error) {
	pos, _ := e.r.Seek(0, io.SeekCurrent)
	if pos >= e.n {
		return 0, errDisk
	}
	if int64(len(p)) > e.n-pos {
		p = p[:e.n-pos]
	}
	return e.r.Read(p)
}

func (e *errReadSeeker) Seek(off int64, whence int) (int64, error) { return e.r.Seek(off, whence) }
