package sink

import "fmt"

// maxDepth is how deeply encoding/json lets arrays and objects nest; a
// deeper document is invalid to it, so it is to jsonReader too.
const maxDepth = 10000

// span locates a decoded string in jsonReader.out.
type span struct{ from, to int }

// spanList locates a list of spans in jsonReader.lists.
type spanList struct{ from, to int }

// jsonReader reads one JSON document in a single pass without building
// values. It accepts what encoding/json accepts (RFC 8259 syntax, no
// control characters in strings, any bytes above 0x7f, at most maxDepth
// nested containers), except inside the values its caller skims, and
// decodes only the values its caller asks for, as flexString and
// flexStrings would decode them. Once it meets a syntax error it records
// it in err and moves to the end, so every later read fails too.
type jsonReader struct {
	b     []byte
	i     int    // next byte of b to read
	out   []byte // decoded strings, addressed by spans
	lists []span // lists of decoded strings, addressed by spanLists
	err   error
	// exact makes skim and skimValue read every value in full, so that
	// the reader accepts exactly what encoding/json accepts; tests set it
	// to compare the two.
	exact bool
}

func (r *jsonReader) fail(what string) bool {
	if r.err == nil {
		r.err = fmt.Errorf("invalid JSON at byte %d: %s", r.i, what)
	}
	r.i = len(r.b)
	return false
}

// peek returns the next byte, or 0 at the end; 0 starts no JSON token.
func (r *jsonReader) peek() byte {
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

func (r *jsonReader) ws() {
	for r.i < len(r.b) && r.b[r.i] <= ' ' {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// open consumes the '{' or '[' that starts a container nested depth deep.
func (r *jsonReader) open(depth int) bool {
	if depth > maxDepth {
		return r.fail("exceeded max depth")
	}
	r.i++
	return true
}

// member moves to the next member of the object being read; first tells
// that none has been read yet. It returns the member's key, still escaped
// when esc, and leaves r.i at the value. It returns ok false after the
// closing brace, or on a syntax error.
func (r *jsonReader) member(first bool) (key []byte, esc, ok bool) {
	r.ws()
	switch r.peek() {
	case '}':
		r.i++
		return nil, false, false
	case ',':
		if first {
			r.fail("want object key")
			return nil, false, false
		}
		r.i++
		r.ws()
	default:
		if !first {
			r.fail("want , or }")
			return nil, false, false
		}
	}
	if r.peek() != '"' {
		r.fail("want object key")
		return nil, false, false
	}
	from, to, esc, ok := r.str()
	if !ok {
		return nil, false, false
	}
	r.ws()
	if r.peek() != ':' {
		r.fail("want :")
		return nil, false, false
	}
	r.i++
	r.ws()
	return r.b[from:to], esc, true
}

// element moves to the next element of the array being read; first tells
// that none has been read yet. It returns true with r.i at the element, or
// false after the closing bracket or on a syntax error.
func (r *jsonReader) element(first bool) bool {
	r.ws()
	switch r.peek() {
	case ']':
		r.i++
		return false
	case ',':
		if first {
			return r.fail("want value")
		}
		r.i++
		r.ws()
	default:
		if !first {
			return r.fail("want , or ]")
		}
	}
	return true
}

// skip reads the value at r.i, which is depth containers deep.
func (r *jsonReader) skip(depth int) bool {
	switch c := r.peek(); c {
	case '"':
		_, _, _, ok := r.str()
		return ok
	case '{':
		if !r.open(depth + 1) {
			return false
		}
		for first := true; ; first = false {
			if _, _, ok := r.member(first); !ok {
				break
			}
			if !r.skip(depth + 1) {
				return false
			}
		}
		return r.err == nil
	case '[':
		if !r.open(depth + 1) {
			return false
		}
		for first := true; r.element(first); first = false {
			if !r.skip(depth + 1) {
				return false
			}
		}
		return r.err == nil
	case 't':
		return r.literal("true")
	case 'f':
		return r.literal("false")
	case 'n':
		return r.literal("null")
	default:
		return r.number()
	}
}

func (r *jsonReader) literal(word string) bool {
	if len(r.b)-r.i < len(word) || string(r.b[r.i:r.i+len(word)]) != word {
		return r.fail("invalid literal")
	}
	r.i += len(word)
	return true
}

func (r *jsonReader) number() bool {
	b, i := r.b, r.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i+1)
	default:
		r.i = i
		return r.fail("invalid value")
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			r.i = j
			return r.fail("want digit after decimal point")
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			r.i = i
			return r.fail("want digit in exponent")
		}
		i = j
	}
	r.i = i
	return true
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}
