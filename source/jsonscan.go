package source

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// jsonKind is the type of a JSON value.
type jsonKind uint8

const (
	jsString jsonKind = iota + 1
	jsNumber
	jsTrue
	jsFalse
	jsNull
	jsArray
	jsObject
)

// span is a range of bytes of the scanned text.
type span struct{ start, end int }

// member is a key and value of an object, or (key empty) an array element.
type member struct {
	key    span // between the quotes
	keyEsc bool // the key has escapes to decode
	kind   jsonKind
	val    span // a string's bytes between the quotes, else the value's text
	valEsc bool
}

// maxDepth is encoding/json's nesting limit, so that both accept the same texts.
const maxDepth = 10000

// jsonScanner validates JSON text (RFC 8259, as encoding/json does) and notes
// where the members of the objects it is asked about are. The text must be
// valid UTF-8: the scanner does not check it again.
type jsonScanner struct {
	b     []byte
	i     int
	depth int
}

// scanObjectLine reports whether b is one JSON object, whitespace around it
// allowed. It appends the object's members to top and, if a member named
// "properties" holds an object, that object's members to props.
func scanObjectLine(b []byte, top, props []member) (_, _ []member, ok bool) {
	s := jsonScanner{b: b}
	s.ws()
	if s.i == len(b) || b[s.i] != '{' {
		return top, props, false
	}
	ok = s.object(&top, &props)
	s.ws()
	return top, props, ok && s.i == len(b)
}

// arrayItems appends the elements of the valid array b[sp] to dst.
func arrayItems(b []byte, sp span, dst []member) []member {
	s := jsonScanner{b: b[:sp.end], i: sp.start}
	s.array(&dst)
	return dst
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// object scans the object at s.i. Members go to out when it is not nil; the
// members of a "properties" member that is an object go to props when that
// is not nil.
func (s *jsonScanner) object(out, props *[]member) bool {
	if s.depth++; s.depth > maxDepth {
		return false
	}
	s.i++ // '{'
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.depth--
		return true
	}
	for {
		var m member
		if s.i == len(s.b) || s.b[s.i] != '"' {
			return false
		}
		if m.key, m.keyEsc = s.str(); m.key.end < 0 {
			return false
		}
		s.ws()
		if s.i == len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.ws()
		if props != nil && s.i < len(s.b) && s.b[s.i] == '{' && keyIs(s.b, m, "properties") {
			start := s.i
			if !s.object(props, nil) {
				return false
			}
			m.kind, m.val = jsObject, span{start, s.i}
		} else if !s.value(&m) {
			return false
		}
		if out != nil {
			*out = append(*out, m)
		}
		s.ws()
		if s.i == len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.ws()
		case '}':
			s.i++
			s.depth--
			return true
		default:
			return false
		}
	}
}

// array scans the array at s.i, appending its elements to out if not nil.
func (s *jsonScanner) array(out *[]member) bool {
	if s.depth++; s.depth > maxDepth {
		return false
	}
	s.i++ // '['
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		s.depth--
		return true
	}
	for {
		var m member
		if !s.value(&m) {
			return false
		}
		if out != nil {
			*out = append(*out, m)
		}
		s.ws()
		if s.i == len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.ws()
		case ']':
			s.i++
			s.depth--
			return true
		default:
			return false
		}
	}
}

// value scans the value at s.i into m's kind and val.
func (s *jsonScanner) value(m *member) bool {
	if s.i == len(s.b) {
		return false
	}
	start := s.i
	switch c := s.b[s.i]; {
	case c == '"':
		m.kind = jsString
		m.val, m.valEsc = s.str()
		return m.val.end >= 0
	case c == '{':
		m.kind = jsObject
		if !s.object(nil, nil) {
			return false
		}
	case c == '[':
		m.kind = jsArray
		if !s.array(nil) {
			return false
		}
	case c == '-' || '0' <= c && c <= '9':
		m.kind = jsNumber
		if !s.number() {
			return false
		}
	case c == 't':
		m.kind = jsTrue
		if !s.literal("true") {
			return false
		}
	case c == 'f':
		m.kind = jsFalse
		if !s.literal("false") {
			return false
		}
	case c == 'n':
		m.kind = jsNull
		if !s.literal("null") {
			return false
		}
	default:
		return false
	}
	m.val = span{start, s.i}
	return true
}

func (s *jsonScanner) literal(word string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// str scans the string at s.i and returns the span between its quotes, with
// end -1 if it is not a valid string, and whether it holds escapes.
func (s *jsonScanner) str() (sp span, esc bool) {
	b, i := s.b, s.i+1 // past the '"'
	start := i
	for {
		// Eight bytes at a time up to the first quote, backslash or
		// control character.
		for ; i+8 <= len(b); i += 8 {
			if m := specialBytes(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
		}
		for i < len(b) && plain[b[i]] {
			i++
		}
		if i == len(b) {
			s.i = i
			return span{start, -1}, esc
		}
		switch c := b[i]; {
		case c == '"':
			s.i = i + 1
			return span{start, i}, esc
		case c == '\\':
			esc = true
			n := 0
			if i+1 < len(b) {
				switch b[i+1] {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					n = 2
				case 'u':
					if hex4(b[i+2:]) >= 0 {
						n = 6
					}
				}
			}
			if n == 0 {
				s.i = i
				return span{start, -1}, esc
			}
			i += n
		default: // c < 0x20
			s.i = i
			return span{start, -1}, esc
		}
	}
}

// specialBytes returns a mask whose lowest set bit is the high bit of the
// first byte of v (little-endian) that is '"', '\\' or below 0x20, or 0 if
// there is none; bits above the lowest may be spurious. (Package sink has
// the same helper for HubSpot's answers.)
func specialBytes(v uint64) uint64 {
	q := v ^ (lowBits * '"')
	s := v ^ (lowBits * '\\')
	return ((q-lowBits)&^q | (s-lowBits)&^s | (v-lowBits*0x20)&^v) & highBits
}

func (s *jsonScanner) number() bool {
	b, i := s.b, s.i
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		if j := digits(b, i+1); j > i+1 {
			i = j
		} else {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if j := digits(b, i); j > i {
			i = j
		} else {
			return false
		}
	}
	s.i = i
	return true
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}
