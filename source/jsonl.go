package source

import (
	"bytes"
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
