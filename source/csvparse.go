package source

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// parseState is where rowParser is within a row.
type parseState uint8

const (
	stFieldStart parseState = iota // before a field's first byte
	stUnquoted                     // inside a field that is not quoted
	stQuoted                       // inside a quoted field
	stQuoteSeen                    // just after a quote inside a quoted field: closing, or the first of ""
	stQuoteCR                      // just after a closing quote and a '\r'
)

// rowParser is an RFC 4180 state machine fed one line fragment at a time.
// It puts the row's cells back to back in one reused buffer, so parsing
// allocates nothing once the buffers have grown.
//
// Beyond RFC 4180 it accepts, as encoding/csv does with LazyQuotes, a quote
// inside an unquoted field (kept literally); text after a closing quote is
// kept too (`"ab"c` gives `ab"c`) but marks the row malformed.
type rowParser struct {
	cells []byte // the cells' bytes, back to back
	// line, when set by plain, is the row itself with no quote in it:
	// its cells are separated by commas, and it aliases the caller's
	// bytes instead of cells.
	line      []byte
	ends      []int // ends[i] is the end of cell i in text()
	state     parseState
	quoteLine int64  // line of the last opening quote
	bad       string // first malformation found, "" if none
	ascii     bool   // plain found only ASCII bytes: the text is valid UTF-8
	sep       byte   // the delimiter; 0 until reset, which makes it ','
	// scratch holds the cells of a row while transcode converts them.
	scratch []byte
}

func (p *rowParser) reset() {
	if p.sep == 0 {
		p.sep = ','
	}
	p.cells, p.line, p.ends, p.state, p.bad, p.ascii = p.cells[:0], nil, p.ends[:0], stFieldStart, "", false
}

// plain splits line, a whole row without its terminator and without any
// quote, at its delimiters: what feed would make of it, without copying a
// byte. line must stay unchanged until the row has been used.
//
// It looks at eight bytes at a time, and notes on the way whether all are
// ASCII; calling bytes.IndexByte for each comma cost twice as much, cells
// being short.
func (p *rowParser) plain(line []byte) {
	p.reset()
	p.line = line
	var high uint64
	sep := p.sep // a local: appending to p.ends could, for all the compiler knows, change p.sep
	seps := lowBits * uint64(sep)
	i := 0
	for ; i+8 <= len(line); i += 8 {
		v := binary.LittleEndian.Uint64(line[i:])
		high |= v
		for m := zeroBytes(v ^ seps); m != 0; m &= m - 1 {
			p.ends = append(p.ends, i+bits.TrailingZeros64(m)>>3)
		}
	}
	for ; i < len(line); i++ {
		high |= uint64(line[i])
		if line[i] == sep {
			p.ends = append(p.ends, i)
		}
	}
	p.ends = append(p.ends, len(line))
	p.ascii = high&highBits == 0
}

const (
	lowBits   = 0x0101010101010101
	lowSevens = 0x7f7f7f7f7f7f7f7f
	highBits  = 0x8080808080808080
)

// zeroBytes returns a mask with the high bit of each zero byte of v set,
// and no other bit: adding 0x7f to the low seven bits of a byte sets its
// high bit unless they are all zero, and no carry crosses into the next.
func zeroBytes(v uint64) uint64 {
	return ^((v&lowSevens + lowSevens) | v) & highBits
}

// text returns the bytes the cells are in, addressed by ends.
func (p *rowParser) text() []byte {
	if p.line != nil {
		return p.line
	}
	return p.cells
}

// fields slices s, which holds text(), into one string per cell, stored in
// f (of length len(p.ends)).
func (p *rowParser) fields(s string, f []string) []string {
	sep := 0 // cells are back to back in cells, one delimiter apart in line
	if p.line != nil {
		sep = 1
	}
	start := 0
	for i, end := range p.ends {
		f[i] = s[start:end]
		start = end + sep
	}
	return f
}

// feed parses b, a fragment of line `line`, and reports whether the row
// ended with it. Only a '\n', the last byte of a fragment, can end a row.
func (p *rowParser) feed(b []byte, line int64) (done bool) {
	sep := p.sep
	for i := 0; i < len(b); i++ {
		switch p.state {
		case stFieldStart:
			if b[i] == '"' {
				p.state, p.quoteLine = stQuoted, line
				continue
			}
			p.state = stUnquoted
			fallthrough
		case stUnquoted:
			j := i
			for j < len(b) && b[j] != sep && b[j] != '\n' {
				j++
			}
			p.cells = append(p.cells, b[i:j]...)
			i = j
			switch {
			case j == len(b):
			case b[j] == sep:
				p.endField()
			default: // '\n', maybe after a '\r'
				if n := len(p.cells); n > p.fieldStart() && p.cells[n-1] == '\r' {
					p.cells = p.cells[:n-1]
				}
				p.endField()
				return true
			}
		case stQuoted:
			j := bytes.IndexByte(b[i:], '"')
			if j < 0 {
				p.cells = append(p.cells, b[i:]...)
				return false
			}
			p.cells = append(p.cells, b[i:i+j]...)
			i += j
			p.state = stQuoteSeen
		case stQuoteSeen:
			switch b[i] {
			case '"':
				p.cells = append(p.cells, '"')
				p.state = stQuoted
			case sep:
				p.endField()
			case '\n':
				p.endField()
				return true
			case '\r':
				p.state = stQuoteCR
			default:
				p.malformed(line)
				p.cells = append(p.cells, '"')
				p.state = stUnquoted
				i-- // parse this byte as unquoted text
			}
		case stQuoteCR:
			if b[i] == '\n' {
				p.endField()
				return true
			}
			p.malformed(line)
			p.cells = append(p.cells, '"', '\r')
			p.state = stUnquoted
			i--
		}
	}
	return false
}

// finish ends the row at the end of the file. It reports whether the file
// ended inside a quoted field, in which case the row has no cells to use.
func (p *rowParser) finish() (unterminated bool) {
	switch p.state {
	case stQuoted:
		return true
	case stUnquoted: // encoding/csv drops a '\r' just before the end too
		if n := len(p.cells); n > p.fieldStart() && p.cells[n-1] == '\r' {
			p.cells = p.cells[:n-1]
		}
	}
	p.endField()
	return false
}

func (p *rowParser) endField() {
	p.ends = append(p.ends, len(p.cells))
	p.state = stFieldStart
}

func (p *rowParser) fieldStart() int {
	if len(p.ends) == 0 {
		return 0
	}
	return p.ends[len(p.ends)-1]
}

func (p *rowParser) malformed(line int64) {
	if p.bad == "" {
		p.bad = fmt.Sprintf("line %d: text after the closing quote of field %d", line, len(p.ends)+1)
	}
}

// transcode converts the cells of the row just parsed from a single-byte
// charset to UTF-8 with t, leaving them back to back in cells.
func (p *rowParser) transcode(t *byteTable) {
	text, line := p.text(), p.line != nil
	p.scratch = p.scratch[:0]
	start := 0
	for i, end := range p.ends {
		p.scratch = t.decode(p.scratch, text[start:end])
		p.ends[i] = len(p.scratch)
		start = end
		if line {
			start++ // past the delimiter
		}
	}
	p.cells, p.scratch = p.scratch, p.cells
	p.line = nil
}
