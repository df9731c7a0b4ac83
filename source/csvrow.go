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
	rowUnterminated                  // a quoted field still open at the end of the file
)

// row is one CSV row as the scanner found it. Its slices point into the
// scanner's buffers and are valid until the next scan.
type row struct {
	status    rowStatus
	line      int64 // first line
	offset    int64
	end       int64
	endLine   int64  // line number at end
	raw       []byte // original bytes, final terminator excluded (capped past the limit)
	size      int64  // rowTooLarge, rowUnterminated: length of the row, final terminator excluded
	quoteLine int64  // rowUnterminated: line of the opening quote
	cut       bool   // the file ends inside the row or right after it without a '\n'
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
		r.end, r.endLine, r.cut = s.in.off, s.in.line, frag[n-1] != '\n'
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
	line := r.line
	for {
		done := s.p.feed(frag, line)
		if n := len(frag); n > 0 && frag[n-1] == '\n' {
			line++
		}
		if done {
			break
		}
		if eof {
			if s.p.finish() {
				return s.unterminated(r, s.raw, int64(len(s.raw)), lastTwo([2]byte{}, s.raw))
			}
			break
		}
		if len(s.raw) > s.max {
			return s.tooLarge(r, line)
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
	r.cut = len(s.raw) == 0 || s.raw[len(s.raw)-1] != '\n'
	r.raw = s.raw[:len(s.raw)-terminator(s.raw, eof)]
	if len(r.raw) > s.max {
		r.status, r.size, r.raw = rowTooLarge, int64(len(r.raw)), capRaw(r.raw)
	}
	return nil
}

// unterminated ends a row whose quoted field is still open at the end of
// the file: raw is its first bytes (all of them if size, its length, says
// so) and tail its last two bytes. The row is all the rest of the file: a
// stray quote could be anywhere in it, so where the rows it hides would
// start cannot be told, and none of them may be sent.
func (s *csvScanner) unterminated(r *row, raw []byte, size int64, tail [2]byte) error {
	term := terminator(tail[:], true)
	r.status, r.quoteLine = rowUnterminated, s.p.quoteLine
	r.end, r.endLine, r.cut = s.in.off, s.in.line, tail[1] != '\n'
	r.size = size - int64(term)
	r.raw = raw
	if int64(len(raw)) == size {
		r.raw = raw[:len(raw)-term]
	}
	if r.size > int64(s.max) {
		r.raw = capRaw(r.raw)
	}
	return nil
}

// tooLarge reads on to the end of a row longer than the limit without
// keeping it. The parser goes on too, on each fragment in turn, and keeps
// only its state: so a line end inside a quoted field, however far from the
// row's start, does not end the row, and the field's lines are not read as
// rows. line is the line number of the next byte.
func (s *csvScanner) tooLarge(r *row, line int64) error {
	s.own() // r.raw must outlive reading on
	size := int64(len(s.raw))
	tail := lastTwo([2]byte{}, s.raw)
	for {
		s.p.cells, s.p.ends = s.p.cells[:0], s.p.ends[:0]
		frag, err := s.in.fragment()
		if err != nil && err != io.EOF {
			return err
		}
		eof := err == io.EOF
		size += int64(len(frag))
		tail = lastTwo(tail, frag)
		done := s.p.feed(frag, line)
		if n := len(frag); n > 0 && frag[n-1] == '\n' {
			line++
		}
		if eof && !done && s.p.finish() {
			return s.unterminated(r, s.raw, size, tail)
		}
		if done || eof {
			r.status, r.end, r.endLine = rowTooLarge, s.in.off, s.in.line
			r.cut = tail[1] != '\n'
			r.size = size - int64(terminator(tail[:], eof))
			r.raw = capRaw(s.raw)
			return nil
		}
	}
}

// lastTwo returns the last two bytes of what was tail followed by b.
func lastTwo(tail [2]byte, b []byte) [2]byte {
	switch len(b) {
	case 0:
		return tail
	case 1:
		return [2]byte{tail[1], b[0]}
	}
	return [2]byte{b[len(b)-2], b[len(b)-1]}
}

func (r *row) message(max int) string {
	switch r.status {
	case rowTooLarge:
		return tooLargeMessage(r.line, r.size, max)
	case rowUnterminated:
		last := r.endLine
		if !r.cut {
			last-- // the file ends with a line end
		}
		m := fmt.Sprintf("line %d: unterminated quoted field starting at line %d: no closing quote before the end of the file", r.line, r.quoteLine)
		if last > r.line {
			m += fmt.Sprintf(", so lines %d to %d are this one record and none of the rows in them is sent", r.line, last)
		}
		return m + ": close the quote and rerun"
	}
	return ""
}

// capRaw keeps the first bytes of a record too large to keep whole.
func capRaw(b []byte) []byte { return b[:min(len(b), rawCap)] }
