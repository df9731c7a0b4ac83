package sink

import (
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// str reads the string whose opening quote is at r.i and returns the
// bounds of its contents in r.b and whether they contain escapes.
func (r *jsonReader) str() (from, to int, esc, ok bool) {
	b := r.b
	i := r.i + 1
	from = i
	for {
		// Eight bytes at a time up to the first quote, backslash or
		// control character.
		for ; i+8 <= len(b); i += 8 {
			if m := specialBytes(binary.LittleEndian.Uint64(b[i : i+8])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				goto special
			}
		}
		for ; i < len(b); i++ {
			if c := b[i]; c < 0x20 || c == '"' || c == '\\' {
				goto special
			}
		}
		r.i = i
		r.fail("unterminated string")
		return 0, 0, false, false
	special:
		switch b[i] {
		case '"':
			r.i = i + 1
			return from, i, esc, true
		case '\\':
			if i+1 < len(b) {
				switch b[i+1] {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					esc = true
					i += 2
					continue
				}
			}
			n := escapeLen(b[i:])
			if n == 0 {
				r.i = i
				r.fail("invalid escape in string")
				return 0, 0, false, false
			}
			esc = true
			i += n
		default:
			r.i = i
			r.fail("control character in string")
			return 0, 0, false, false
		}
	}
}

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// specialBytes returns a mask whose lowest set bit is the high bit of the
// first byte of v (little-endian) that is '"', '\\' or below 0x20, or 0 if
// there is none. Bits above the lowest may be spurious.
func specialBytes(v uint64) uint64 {
	q := v ^ (lowBits * '"')
	s := v ^ (lowBits * '\\')
	return ((q-lowBits)&^q | (s-lowBits)&^s | (v-lowBits*0x20)&^v) & highBits
}

// escapeLen returns the length of the valid escape sequence s starts with,
// or 0.
func escapeLen(s []byte) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(s) >= 6 && hexRune(s[2:6]) >= 0 {
			return 6
		}
	}
	return 0
}

// hexRune parses four hex digits, or returns -1.
func hexRune(h []byte) rune {
	var r rune
	for _, c := range h[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// appendUnquoted appends s, the contents of a string str has validated,
// decoded as encoding/json decodes strings: a \u escape of a surrogate that
// is not part of a valid pair, and each byte of invalid UTF-8, becomes
// U+FFFD.
func appendUnquoted(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\':
			switch c = s[i+1]; c {
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'u':
				rr := hexRune(s[i+2:])
				i += 6
				if utf16.IsSurrogate(rr) {
					rr1 := rune(-1)
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						rr1 = hexRune(s[i+2:])
					}
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						dst = utf8.AppendRune(dst, dec)
						i += 6
						continue
					}
					rr = unicode.ReplacementChar
				}
				dst = utf8.AppendRune(dst, rr)
				continue
			}
			dst = append(dst, c) // also '"', '\\' and '/'
			i += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			rr, n := utf8.DecodeRune(s[i:])
			dst = utf8.AppendRune(dst, rr)
			i += n
		}
	}
	return dst
}

// flex reads the value at r.i, depth containers deep, as a flexString:
// a string decoded, another scalar as its literal text, null and
// containers as "".
func (r *jsonReader) flex(depth int) span {
	start := r.i
	switch c := r.peek(); {
	case c == '"':
		from, to, esc, ok := r.str()
		if !ok {
			return span{}
		}
		s := span{from: len(r.out)}
		if esc {
			r.out = appendUnquoted(r.out, r.b[from:to])
		} else {
			r.out = append(r.out, r.b[from:to]...)
		}
		s.to = len(r.out)
		return s
	case c == 't' || c == 'f' || c == '-' || '0' <= c && c <= '9':
		if !r.skip(depth) {
			return span{}
		}
		s := span{from: len(r.out)}
		r.out = append(r.out, r.b[start:r.i]...)
		s.to = len(r.out)
		return s
	default:
		r.skip(depth)
		return span{}
	}
}

// flexList reads the value at r.i, depth containers deep, as a
// flexStrings: an array as the flexString of each element, another scalar
// as a list of one, null and objects as an empty list.
func (r *jsonReader) flexList(depth int) spanList {
	l := spanList{from: len(r.lists)}
	switch r.peek() {
	case '[':
		if !r.open(depth + 1) {
			return spanList{}
		}
		for first := true; r.element(first); first = false {
			r.lists = append(r.lists, r.flex(depth+1))
		}
	case '{', 'n':
		r.skip(depth)
	default:
		r.lists = append(r.lists, r.flex(depth))
	}
	l.to = len(r.lists)
	return l
}
