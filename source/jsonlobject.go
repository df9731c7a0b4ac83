package source

// The JSON side of the JSONL reader: one line read as an object with
// jsontext, its members in order, and the checks on them (duplicate keys,
// a key both flat and under "properties").

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// member is one key of an object and its value.
type member struct {
	key string
	val span
}

// span is where a value is in the line: line[start:end].
type span struct{ start, end int }

// decodeOptions keep duplicate keys for parse to name (jsontext would only
// say that there is one), and let an unpaired surrogate escape decode to
// U+FFFD, as encoding/json does; parse has checked that the bytes are
// UTF-8.
var decodeOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// members reads line as one JSON object into j.top, in order, and the
// members of the object under its "properties" key, if there is one, into
// j.props (nested is then true). It returns why line is not one JSON
// object, or "".
func (j *JSONLReader) members(line []byte) (nested bool, problem string) {
	j.line, j.text = line, string(line)
	j.decode(line)
	err := errNotObject
	if j.dec.PeekKind() == '{' {
		j.props = j.props[:0]
		j.top, _, err = j.object(j.top[:0], &j.props)
	}
	if err == nil {
		if _, err = j.dec.ReadToken(); err == io.EOF {
			err = nil
		} else if err == nil {
			err = errTrailing
		}
	}
	if err != nil {
		return false, j.whyInvalid(err)
	}
	for _, m := range j.top {
		nested = nested || m.key == "properties" && j.kind(m.val) == '{'
	}
	return nested, ""
}

// decode starts the decoder on b. It reads a bytes.Buffer in place: the
// line is copied once, not read through a buffer of the decoder's own.
func (j *JSONLReader) decode(b []byte) {
	j.buf.Reset()
	j.buf.Write(b)
	j.dec.Reset(&j.buf, decodeOptions...)
}

var (
	errNotObject = errors.New("not a JSON object")
	errTrailing  = errors.New("text after the object")
)

// whyInvalid says why the line, on which members failed with err, is not
// one JSON object. It reads the line again as one value: reading tokens,
// the decoder blames a comma before a '}' rather than the '}'.
func (j *JSONLReader) whyInvalid(err error) string {
	j.decode(j.line)
	v, verr := j.dec.ReadValue()
	kind, end := v.Kind(), j.dec.InputOffset()
	if verr == nil {
		if _, verr = j.dec.ReadToken(); verr == io.EOF {
			verr = nil
		} else if verr == nil {
			next := len(j.line) - len(bytes.TrimLeft(j.line[end:], " \t\r\n"))
			return fmt.Sprintf("invalid JSON at byte %d: text after the value", next+1)
		}
	}
	switch {
	case verr == nil && kind != '{':
		return "not a JSON object but " + typeName(kind, true)
	case verr == nil:
		verr = err
	}
	var serr *jsontext.SyntacticError
	switch {
	case errors.Is(verr, io.ErrUnexpectedEOF):
		return fmt.Sprintf("invalid JSON at byte %d: unexpected end of JSON input", len(j.line))
	case errors.As(verr, &serr):
		// The byte, counted from 1, is the column on a line of
		// single-byte characters.
		return fmt.Sprintf("invalid JSON at byte %d: %v", serr.ByteOffset+1, serr.Err)
	}
	return "invalid JSON: " + verr.Error()
}

// object reads the object the decoder is at, appending its members to ms,
// and returns where it is. If props is not nil, the members of an object
// under a "properties" key are appended to it.
func (j *JSONLReader) object(ms []member, props *[]member) ([]member, span, error) {
	if _, err := j.dec.ReadToken(); err != nil { // '{'
		return ms, span{}, err
	}
	start := int(j.dec.InputOffset()) - 1
	for j.dec.PeekKind() != '}' {
		name, err := j.next(0)
		if err != nil {
			return ms, span{}, err
		}
		m := member{key: j.str(name)}
		if props != nil && m.key == "properties" && j.dec.PeekKind() == '{' {
			*props, m.val, err = j.object(*props, nil)
		} else {
			m.val, err = j.next(0)
		}
		if err != nil {
			return ms, span{}, err
		}
		ms = append(ms, m)
	}
	if _, err := j.dec.ReadToken(); err != nil { // '}'
		return ms, span{}, err
	}
	return ms, span{start, int(j.dec.InputOffset())}, nil
}

// next reads the next value, or key, and returns where it is in the line,
// the decoder reading the line from byte base on.
func (j *JSONLReader) next(base int) (span, error) {
	v, err := j.dec.ReadValue()
	end := base + int(j.dec.InputOffset())
	return span{end - len(v), end}, err
}

// typeName names the JSON type of kind, with an article if asked.
func typeName(kind jsontext.Kind, article bool) string {
	name := map[jsontext.Kind]string{'"': "string", '0': "number", 't': "boolean", 'f': "boolean", 'n': "null", '[': "array", '{': "object"}[kind]
	switch {
	case !article || kind == 'n':
		return name
	case kind == '[' || kind == '{':
		return "an " + name
	}
	return "a " + name
}

// duplicate returns a key that two of ms have, if one does. A line has
// mostly a few keys, compared pair by pair; many go through a map, lest
// comparing every pair take long.
func duplicate(ms []member) (string, bool) {
	if len(ms) <= 32 {
		for i, m := range ms {
			if hasKey(ms[:i], m.key) {
				return m.key, true
			}
		}
		return "", false
	}
	seen := make(map[string]bool, len(ms))
	for _, m := range ms {
		if seen[m.key] {
			return m.key, true
		}
		seen[m.key] = true
	}
	return "", false
}

func hasKey(ms []member, key string) bool {
	for _, m := range ms {
		if m.key == key {
			return true
		}
	}
	return false
}

// conflict returns a top-level key of a nested object that is also one of
// its property keys. Other top-level keys (createdAt, archived...) are left
// out, as HubSpot's own exports want; but one that names a property would
// give it two values, and picking either would write what the file may not
// mean.
func (j *JSONLReader) conflict(top, props []member) (string, bool) {
	in := func(k string) bool { return hasKey(props, k) }
	if len(top)*len(props) > 1024 { // comparing every pair would take long
		set := make(map[string]bool, len(props))
		for _, m := range props {
			set[m.key] = true
		}
		in = func(k string) bool { return set[k] }
	}
	for _, m := range top {
		if m.key != "properties" && j.isProp(m.key) && in(m.key) {
			return m.key, true
		}
	}
	return "", false
}
