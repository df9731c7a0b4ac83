package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// parser is a one-pass JSON reader that knows byte offsets, so every error
// carries the line and column HubSpot reports.
type parser struct {
	b     []byte
	i     int
	known map[string]*prop
}

// name returns a property name, shared with the schema when it is known.
func (p *parser) name(b []byte) string {
	if kp, ok := p.known[string(b)]; ok {
		return kp.name
	}
	return string(b)
}

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) errAt(off int, msg string) *decodeError {
	off = max(0, min(off, len(p.b)))
	line := 1 + bytes.Count(p.b[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(p.b[:off], '\n')
	return &decodeError{line: line, col: col, msg: msg}
}

func (p *parser) unknownField(key []byte, at int, class string) *decodeError {
	return p.errAt(at, fmt.Sprintf("Unrecognized field %q (class %s), not marked as ignorable", key, class))
}

// expectKind consumes the opening byte of a value of the wanted kind or
// reports what was found instead, in Jackson's words.
func (p *parser) expectKind(want byte, javaType string) *decodeError {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == want {
		return nil
	}
	what, token := p.describe()
	if token == "" {
		return p.syntax()
	}
	return p.errAt(p.i, fmt.Sprintf("Cannot deserialize value of type `%s` from %s value (token `JsonToken.%s`)", javaType, what, token))
}

// describe names the value starting at p.i; token is "" if none can start there.
func (p *parser) describe() (what, token string) {
	if p.i >= len(p.b) {
		return "", ""
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return "Object", "START_OBJECT"
	case c == '[':
		return "Array", "START_ARRAY"
	case c == '"':
		return "String", "VALUE_STRING"
	case c == '-' || (c >= '0' && c <= '9'):
		return "Number", "VALUE_NUMBER_INT"
	case bytes.HasPrefix(p.b[p.i:], []byte("true")):
		return "Boolean", "VALUE_TRUE"
	case bytes.HasPrefix(p.b[p.i:], []byte("false")):
		return "Boolean", "VALUE_FALSE"
	case bytes.HasPrefix(p.b[p.i:], []byte("null")):
		return "Null", "VALUE_NULL"
	}
	return "", ""
}

func (p *parser) syntax() *decodeError {
	if p.i >= len(p.b) {
		return p.errAt(p.i, "Unexpected end-of-input: expected close marker or value")
	}
	c := p.b[p.i]
	return p.errAt(p.i, fmt.Sprintf("Unexpected character (%q (code %d)): expected a valid value", rune(c), c))
}

func (p *parser) peekNull() bool {
	p.ws()
	return bytes.HasPrefix(p.b[p.i:], []byte("null"))
}

func (p *parser) skipNull() bool {
	if p.peekNull() {
		p.i += 4
		return true
	}
	return false
}

// object reads the members of an object whose '{' was just checked; field is
// called with the parser positioned at each value. class is only for errors.
func (p *parser) object(class string, field func(key []byte, at int) *decodeError) *decodeError {
	if p.empty('}') {
		return nil
	}
	for {
		p.ws()
		at := p.i
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return p.errAt(p.i, "Unexpected character: was expecting double-quote to start field name")
		}
		key, err := p.rawString()
		if err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return p.errAt(p.i, "Unexpected character: was expecting a colon to separate field name and value")
		}
		p.i++
		p.ws()
		if err := field(key, at); err != nil {
			return err
		}
		if done, err := p.next('}', "Object"); done || err != nil {
			return err
		}
	}
}

// array reads the elements of an array whose '[' was just checked.
func (p *parser) array(elem func() *decodeError) *decodeError {
	if p.empty(']') {
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if done, err := p.next(']', "Array"); done || err != nil {
			return err
		}
		p.ws()
	}
}

// empty steps into the container whose opening mark was just checked, and
// reports whether close follows at once (and is read).
func (p *parser) empty(close byte) bool {
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == close {
		p.i++
		return true
	}
	return false
}

// next reads what follows a member of an object or an element of an array:
// a comma (done is false) or the close marker (done is true). kind names
// the container in errors, as Jackson does.
func (p *parser) next(close byte, kind string) (done bool, _ *decodeError) {
	p.ws()
	if p.i >= len(p.b) {
		return false, p.errAt(p.i, "Unexpected end-of-input: expected close marker for "+kind)
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return false, nil
	case close:
		p.i++
		return true, nil
	}
	return false, p.errAt(p.i, "Unexpected character: was expecting comma to separate "+kind+" entries")
}

// stringValue reads a value that must be a JSON string.
func (p *parser) stringValue() (string, *decodeError) {
	if err := p.expectKind('"', "java.lang.String"); err != nil {
		return "", err
	}
	b, err := p.rawString()
	return string(b), err
}

// rawString reads the string starting at p.i (a '"') and returns its decoded
// bytes. The common case, no escapes, does not copy.
func (p *parser) rawString() ([]byte, *decodeError) {
	start := p.i
	escaped, ascii := false, true
	for j := start + 1; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			p.i = j + 1
			seg := p.b[start+1 : j]
			if !ascii && !utf8.Valid(seg) {
				return nil, p.errAt(start, "Invalid UTF-8 byte in String value")
			}
			if !escaped {
				return seg, nil
			}
			var s string
			if err := json.Unmarshal(p.b[start:j+1], &s); err != nil {
				return nil, p.errAt(start, "Unrecognized character escape in String value")
			}
			return []byte(s), nil
		case c == '\\':
			escaped = true
			j++
		case c < 0x20:
			return nil, p.errAt(j, fmt.Sprintf("Illegal unquoted character ((CTRL-CHAR, code %d)): has to be escaped using backslash to be included in string value", c))
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	p.i = len(p.b)
	return nil, p.errAt(len(p.b), "Unexpected end-of-input in String value")
}
