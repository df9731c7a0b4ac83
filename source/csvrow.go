package source

import (
	"bytes"
	"fmt"
	"io"
)

// rowStatus says how far a CSV row could be read.
type rowStatus int

const (
	rowOK           rowStatus = iota // split into cells (rowParser.bad may still be set)
	rowTooLarge                      // longer than the limit; Raw holds its first bytes
	rowUnterminated                  // a quoted field never closed; Raw holds its first line
)

// row is one CSV row as the scanner found it. Its slices point into the
// scanner's buffers and are valid until the next scan.
type row struct {
	status    rowStatus
	line      int64 // first line
	offset    int64
	end       int64
	endLine   int64  // line number at end
	raw       []byte // original bytes, final terminator excluded (capped when too large)
	size      int64  // rowTooLarge: length of the row, final terminator excluded
	quoteLine int64  // rowUnterminated: line of the opening quote
	eof       bool   // rowUnterminated: the file ended inside the quotes
	resynced  bool   // rowUnterminated: reading goes on at the row's second line
}

// csvScanner splits a CSV file into rows, in at most max (plus one buffer)
// bytes of memory per row.
type csvScanner struct {
	in  *input
	max int
	p   rowParser
	// raw is the row being read. While it is one fragment it aliases the
	// input's buffer (owned false), valid until the next fragment is read;
	// a row that needs more is copied into buf first.
	raw   []byte
	owned bool
	buf   []byte
}

// own makes s.raw a copy in s.buf, so that reading on keeps it.
func (s *csvScanner) own() {
	if !s.owned {
		s.buf = append(s.buf[:0], s.raw...)
		s.raw, s.owned = s.buf, true
	}
}

// scan reads the next row into r, skipping blank lines. It returns io.EOF
// at the end of the file and any other error only for I/O failures.
func (s *csvScanner) scan(r *row) error {
	for {
		*r = row{offset: s.in.off, line: s.in.line}
		frag, err := s.in.fragment()
		if err != nil && err != io.EOF {
			return err
		}
		eof := err == io.EOF
		if len(frag) == 0 {
			return io.EOF
		}
		if terminator(frag, eof) == len(frag) { // blank line
			if eof {
				return io.EOF
			}
			continue
		}
		return s.row(r, frag, eof)
	}
}

func (s *csvScanner) row(r *row, frag []byte, eof bool) error {
	if n := len(frag); (frag[n-1] == '\n' || eof) && bytes.IndexByte(frag, '"') < 0 {
		// A whole line without quotes, as most rows are: its cells are
		// the text between commas, used where it lies.
		r.end, r.endLine = s.in.off, s.in.line
		s.raw, s.owned = frag, false
		r.raw = frag[:n-terminator(frag, eof)]
		if n := len(r.raw); n > s.max {
			s.own()
			r.status, r.size, r.raw = rowTooLarge, int64(n), capRaw(s.raw[:n])
			return nil
		}
		s.p.plain(r.raw)
		return nil
	}
	s.p.reset()
	s.raw, s.owned = frag, false
	firstLineEnd := int64(-1) // offset just past the row's first '\n'
	line := r.line
	for {
		done := s.p.feed(frag, line)
		if n := len(frag); n > 0 && frag[n-1] == '\n' {
			if firstLineEnd < 0 {
				firstLineEnd = s.in.off
			}
			line++
		}
		if done {
			break
		}
		if eof {
			if s.p.finish() {
				return s.unterminated(r, firstLineEnd, true)
			}
			break
		}
		if len(s.raw) > s.max {
			if firstLineEnd >= 0 && s.p.inQuotes() {
				return s.unterminated(r, firstLineEnd, false)
			}
			return s.tooLarge(r)
		}
		s.own()
		var err error
		frag, err = s.in.fragment()
		if err != nil && err != io.EOF {
			return err
		}
		eof = err == io.EOF
		s.raw = append(s.raw, frag...)
		s.buf = s.raw
	}
	r.end, r.endLine = s.in.off, s.in.line
	r.raw = s.raw[:len(s.raw)-terminator(s.raw, eof)]
	if len(r.raw) > s.max {
		r.status, r.size, r.raw = rowTooLarge, int64(len(r.raw)), capRaw(r.raw)
	}
	return nil
}

// unterminated ends a row whose quoted field never closed at its first line,
// and goes back to read the next line as a row of its own: one stray quote
// costs one line, not the rest of the file.
func (s *csvScanner) unterminated(r *row, firstLineEnd int64, eof bool) error {
	s.own() // r.raw must outlive the seek below
	r.status, r.quoteLine, r.eof = rowUnterminated, s.p.quoteLine, eof
	if firstLineEnd < 0 { // the file ended on the first line
		r.end, r.endLine = s.in.off, s.in.line
		r.raw = s.raw[:len(s.raw)-terminator(s.raw, true)]
		return nil
	}
	r.end, r.endLine = firstLineEnd, r.line+1
	first := s.raw[:firstLineEnd-r.offset]
	r.raw = first[:len(first)-terminator(first, false)]
	if r.end == s.in.off {
		return nil
	}
	r.resynced = true
	return s.in.seek(r.end, r.line+1)
}

// tooLarge skips the rest of the current line without buffering it.
func (s *csvScanner) tooLarge(r *row) error {
	s.own() // r.raw must outlive skipping the rest of the line
	n, term, err := s.in.skipLine(s.raw[len(s.raw)-1])
	if err != nil {
		return err
	}
	r.status, r.end, r.endLine = rowTooLarge, s.in.off, s.in.line
	r.size = int64(len(s.raw)) + n - term
	r.raw = capRaw(s.raw)
	return nil
}

func (r *row) message(max int) string {
	switch r.status {
	case rowTooLarge:
		return tooLargeMessage(r.line, r.size, max)
	case rowUnterminated:
		m := fmt.Sprintf("line %d: unterminated quoted field starting at line %d: ", r.line, r.quoteLine)
		if r.eof {
			m += "no closing quote before the end of the file"
		} else {
			m += fmt.Sprintf("no closing quote within %d bytes (--max-record-bytes)", max)
		}
		if r.resynced {
			m += fmt.Sprintf("; the lines after it are read as rows of their own from line %d", r.line+1)
		}
		return m
	}
	return ""
}

// capRaw keeps the first bytes of a record too large to keep whole.
func capRaw(b []byte) []byte { return b[:min(len(b), rawCap)] }
