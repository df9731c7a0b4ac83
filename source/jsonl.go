package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// JSONLReader reads the records of a JSONL (NDJSON) file: one JSON object per
// line, either {"id": …, "properties": {…}} or a flat object whose keys other
// than the id are the properties. In the first form other top-level keys
// are ignored, but one that is also a key of "properties" fails the record
// (INVALID_VALUE). It is not safe for concurrent use.
type JSONLReader struct {
	in      *input
	max     int
	idKey   string
	changed func() bool
	raw     []byte // a line longer than one buffer fragment

	// The line being parsed, as read and as one string that its keys and
	// values are sliced from (see str).
	line []byte
	text string

	// reused from line to line
	buf        bytes.Buffer
	dec        jsontext.Decoder
	top, props []member
	unquoted   []byte
}

// NewJSONL returns a reader positioned at opts.Start. Errors come from r.
func NewJSONL(r io.ReadSeeker, opts Options) (*JSONLReader, error) {
	opts = opts.withDefaults()
	if err := opts.checkStart(); err != nil {
		return nil, err
	}
	j := &JSONLReader{in: newInput(r), max: opts.MaxRecordBytes, idKey: opts.IDColumn, changed: opts.Changed}
	if j.idKey == "" {
		var err error
		if j.idKey, err = guessIDKey(j.in, j.max); err != nil {
			return nil, err
		}
	}
	if opts.Start.Offset > 0 {
		return j, j.in.seek(opts.Start.Offset, opts.Start.Line)
	}
	if err := j.in.seek(0, 1); err != nil {
		return nil, err
	}
	return j, j.in.skipBOM()
}

// IDColumn returns the key that holds the ids: the one named in Options,
// or the one taken for it (see Options.IDColumn).
func (j *JSONLReader) IDColumn() string { return j.idKey }

// Next returns the next record, skipping blank lines. A line that cannot be
// sent is still returned, with Err set. Next returns io.EOF after the last
// record and any other error only when reading fails; after an error the
// reader must not be used.
func (j *JSONLReader) Next() (Record, error) {
	for {
		rec := Record{Offset: j.in.off, Line: j.in.line}
		frag, err := j.in.fragment()
		if err != nil && err != io.EOF {
			return Record{}, err
		}
		if len(frag) == 0 {
			return Record{}, io.EOF
		}
		eof := err == io.EOF
		line := frag // valid until the next fragment is read
		if !eof && frag[len(frag)-1] != '\n' {
			j.raw = append(j.raw[:0], frag...)
			for !eof && frag[len(frag)-1] != '\n' {
				if len(j.raw) > j.max {
					return j.tooLarge(rec)
				}
				if frag, err = j.in.fragment(); err != nil && err != io.EOF {
					return Record{}, err
				}
				eof = err == io.EOF
				j.raw = append(j.raw, frag...)
			}
			line = j.raw
		}
		rec.End, rec.EndLine = j.in.off, j.in.line
		cut := eof && line[len(line)-1] != '\n'
		line = line[:len(line)-terminator(line, eof)]
		switch {
		case blank(line) && eof:
			return Record{}, io.EOF
		case blank(line):
			continue
		case cut && j.changed != nil && j.changed():
			rec.Raw = append([]byte(nil), capRaw(line)...)
			rec.Err = incomplete(rec.Line)
		case len(line) > j.max:
			rec.Raw = append([]byte(nil), capRaw(line)...)
			rec.Err = &RecordError{Code: CodeRecordTooLarge, Message: tooLargeMessage(rec.Line, int64(len(line)), j.max)}
		default:
			rec.Raw = slices.Clone(line)
			j.parse(&rec)
		}
		return rec, nil
	}
}

func (j *JSONLReader) tooLarge(rec Record) (Record, error) {
	n, term, eol, err := j.in.skipLine(j.raw[len(j.raw)-1])
	if err != nil {
		return Record{}, err
	}
	rec.End, rec.EndLine = j.in.off, j.in.line
	rec.Raw = append([]byte(nil), capRaw(j.raw)...)
	rec.Err = &RecordError{Code: CodeRecordTooLarge, Message: tooLargeMessage(rec.Line, int64(len(j.raw))+n-term, j.max)}
	if !eol && j.changed != nil && j.changed() {
		rec.Err = incomplete(rec.Line)
	}
	return rec, nil
}

func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// parse fills rec's ID and Props from rec.Raw, or sets rec.Err.
func (j *JSONLReader) parse(rec *Record) {
	fail := func(code, format string, args ...any) {
		rec.Err = &RecordError{Code: code, Message: fmt.Sprintf("line %d: ", rec.Line) + fmt.Sprintf(format, args...)}
	}
	if !utf8.Valid(rec.Raw) {
		fail(CodeInvalidJSON, "not valid UTF-8")
		return
	}
	nested, problem := j.members(rec.Raw)
	if problem != "" {
		fail(CodeInvalidJSON, "%s", problem)
		return
	}
	top, props := j.top, j.top
	if k, ok := duplicate(top); ok {
		fail(CodeInvalidValue, "key %q appears twice", k)
		return
	}
	if nested {
		props = j.props
		if k, ok := duplicate(props); ok {
			fail(CodeInvalidValue, "properties: key %q appears twice", k)
			return
		}
		if k, ok := j.conflict(top, props); ok {
			fail(CodeInvalidValue, "key %q is both at the top level and under \"properties\", so the property has two values: keep only one of them", k)
			return
		}
	}
	if rec.Err = j.id(rec, top); rec.Err != nil {
		return
	}
	rec.Props = make([]Prop, 0, len(props))
	for _, m := range props {
		if !nested && !j.isProp(m.key) {
			continue
		}
		v, msg := j.value(m.val)
		if msg != "" {
			rec.Props = nil
			fail(CodeInvalidValue, "property %q %s", m.key, msg)
			return
		}
		rec.Props = append(rec.Props, Prop{Name: m.key, Value: v})
	}
}

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

// isProp reports whether a top-level key of a flat object is a property.
func (j *JSONLReader) isProp(key string) bool { return key != j.idKey && key != "_error" }

func (j *JSONLReader) id(rec *Record, top []member) *RecordError {
	problem := "no %q key"
	for _, m := range top {
		if m.key != j.idKey {
			continue
		}
		switch kind := j.kind(m.val); kind {
		case '"':
			rec.ID = strings.TrimSpace(j.str(m.val))
			problem = "%q is empty"
		case '0':
			rec.ID = j.str(m.val)
		case 'n':
			problem = "%q is null"
		default:
			return &RecordError{Code: CodeMissingID, Message: fmt.Sprintf(
				"line %d: %q is a JSON %s: the id must be a string or a number", rec.Line, j.idKey, typeName(kind, false))}
		}
	}
	if rec.ID == "" {
		return &RecordError{Code: CodeMissingID, Message: fmt.Sprintf("line %d: "+problem, rec.Line, j.idKey)}
	}
	return nil
}

// value turns a JSON value into HubSpot's string form, or says why it
// cannot: an array becomes its elements joined by ';'.
func (j *JSONLReader) value(v span) (string, string) {
	switch j.kind(v) {
	case '{':
		return "", "is a JSON object: a value must be a string, number, boolean, null or an array of those"
	case '[':
		// The line has been read whole: the decoder is free, and the
		// array valid.
		j.decode(j.line[v.start:v.end])
		j.dec.ReadToken() // '['
		var sb strings.Builder
		for i := 0; j.dec.PeekKind() != ']'; i++ {
			item, err := j.next(v.start)
			if err != nil {
				return "", "is not valid JSON: " + err.Error() // cannot happen
			}
			if kind := j.kind(item); kind == '{' || kind == '[' {
				return "", fmt.Sprintf("holds a JSON %s in its array: an array may hold only strings, numbers, booleans and nulls", typeName(kind, false))
			}
			if i > 0 {
				sb.WriteByte(';')
			}
			sb.WriteString(j.str(item))
		}
		return sb.String(), ""
	}
	return j.str(v), ""
}

func (j *JSONLReader) kind(v span) jsontext.Kind { return jsontext.Value(j.line[v.start:v.end]).Kind() }

// str is the string form of a JSON string, number, boolean or null. Those
// without escapes are sliced from j.text, the line's one copy as a string:
// keys and values cost no allocation of their own.
func (j *JSONLReader) str(v span) string {
	b := j.line[v.start:v.end]
	switch {
	case b[0] == 'n':
		return "" // null clears the property
	case b[0] != '"':
		return j.text[v.start:v.end]
	case bytes.IndexByte(b, '\\') < 0:
		return j.text[v.start+1 : v.end-1]
	}
	j.unquoted, _ = jsontext.AppendUnquote(j.unquoted[:0], b) // an unpaired surrogate becomes U+FFFD
	return string(j.unquoted)
}
