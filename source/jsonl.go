package source

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
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
	arena   arena
	// reused buffers
	top, props, items []member
	topKeys, propKeys []string
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
			rec.Raw = j.arena.bytes(line)
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
	b := rec.Raw
	if !utf8.Valid(b) {
		rec.Err = &RecordError{Code: CodeInvalidJSON, Message: fmt.Sprintf("line %d: not valid UTF-8", rec.Line)}
		return
	}
	top, props, ok := scanObjectLine(b, j.top[:0], j.props[:0])
	j.top, j.props = top, props
	if !ok {
		rec.Err = &RecordError{Code: CodeInvalidJSON, Message: fmt.Sprintf("line %d: %s", rec.Line, jsonProblem(b))}
		return
	}
	d := decoder{b: b, s: j.arena.text(b)}
	j.topKeys = d.keys(j.topKeys[:0], top)
	keys, nested := j.topKeys, false
	for i, m := range top {
		if m.kind == jsObject && keys[i] == "properties" {
			nested = true
		}
	}
	if msg := duplicate(j.topKeys); msg != "" {
		rec.Err = &RecordError{Code: CodeInvalidValue, Message: fmt.Sprintf("line %d: %s", rec.Line, msg)}
		return
	}
	if nested {
		j.propKeys = d.keys(j.propKeys[:0], props)
		keys = j.propKeys
		if msg := duplicate(keys); msg != "" {
			rec.Err = &RecordError{Code: CodeInvalidValue, Message: fmt.Sprintf("line %d: properties: %s", rec.Line, msg)}
			return
		}
		if k, ok := j.conflict(j.topKeys, keys); ok {
			rec.Err = &RecordError{Code: CodeInvalidValue, Message: fmt.Sprintf(
				"line %d: key %q is both at the top level and under \"properties\", so the property has two values: keep only one of them",
				rec.Line, k)}
			return
		}
	} else {
		props = top
	}
	if rec.Err = j.id(rec, &d, top, j.topKeys); rec.Err != nil {
		return
	}
	n := 0
	for _, k := range keys {
		if nested || j.isProp(k) {
			n++
		}
	}
	rec.Props = j.arena.props(n)
	for i, m := range props {
		k := keys[i]
		if !nested && !j.isProp(k) {
			continue
		}
		v, msg := j.value(&d, m)
		if msg != "" {
			rec.Props = nil
			rec.Err = &RecordError{Code: CodeInvalidValue, Message: fmt.Sprintf("line %d: property %q %s", rec.Line, k, msg)}
			return
		}
		rec.Props = append(rec.Props, Prop{Name: k, Value: v})
	}
}

// conflict returns a top-level key of a nested object that is also one of
// its property keys. Other top-level keys (createdAt, archived...) are left
// out, as HubSpot's own exports want; but one that names a property would
// give it two values, and picking either would write what the file may not
// mean.
func (j *JSONLReader) conflict(top, props []string) (string, bool) {
	in := func(k string) bool { return slices.Contains(props, k) }
	if len(top)*len(props) > 1024 { // comparing every pair would take long
		set := make(map[string]bool, len(props))
		for _, k := range props {
			set[k] = true
		}
		in = func(k string) bool { return set[k] }
	}
	for _, k := range top {
		if k != "properties" && j.isProp(k) && in(k) {
			return k, true
		}
	}
	return "", false
}

// isProp reports whether a top-level key of a flat object is a property.
func (j *JSONLReader) isProp(key string) bool { return key != j.idKey && key != "_error" }

func (j *JSONLReader) id(rec *Record, d *decoder, top []member, keys []string) *RecordError {
	problem := "no %q key"
	for i, m := range top {
		if keys[i] != j.idKey {
			continue
		}
		switch m.kind {
		case jsString:
			rec.ID = strings.TrimSpace(d.str(m.val, m.valEsc))
			problem = "%q is empty"
		case jsNumber:
			rec.ID = d.str(m.val, false)
		case jsNull:
			problem = "%q is null"
		default:
			return &RecordError{Code: CodeMissingID, Message: fmt.Sprintf(
				"line %d: %q is a JSON %s: the id must be a string or a number", rec.Line, j.idKey, m.kind)}
		}
	}
	if rec.ID == "" {
		return &RecordError{Code: CodeMissingID, Message: fmt.Sprintf("line %d: "+problem, rec.Line, j.idKey)}
	}
	return nil
}

// value turns a JSON value into HubSpot's string form, or says why it cannot.
func (j *JSONLReader) value(d *decoder, m member) (string, string) {
	switch m.kind {
	case jsObject:
		return "", "is a JSON object: a value must be a string, number, boolean, null or an array of those"
	case jsArray:
		j.items = arrayItems(d.b, m.val, j.items[:0])
		var sb strings.Builder
		for i, it := range j.items {
			if it.kind == jsObject || it.kind == jsArray {
				return "", fmt.Sprintf("holds a JSON %s in its array: an array may hold only strings, numbers, booleans and nulls", it.kind)
			}
			if i > 0 {
				sb.WriteByte(';')
			}
			v, _ := j.value(d, it)
			sb.WriteString(v)
		}
		return sb.String(), ""
	}
	return d.scalar(m), ""
}

// decoder turns spans of one line into strings sliced from one copy of it.
type decoder struct {
	b []byte
	s string
}

func (d *decoder) str(sp span, esc bool) string {
	if esc {
		return unquote(d.b[sp.start:sp.end])
	}
	return d.s[sp.start:sp.end]
}

func (d *decoder) scalar(m member) string {
	switch m.kind {
	case jsString:
		return d.str(m.val, m.valEsc)
	case jsNumber:
		return d.s[m.val.start:m.val.end]
	case jsTrue:
		return "true"
	case jsFalse:
		return "false"
	}
	return "" // null clears the property
}

// keys appends the decoded keys of ms to dst.
func (d *decoder) keys(dst []string, ms []member) []string {
	for _, m := range ms {
		dst = append(dst, d.str(m.key, m.keyEsc))
	}
	return dst
}

// duplicate names a key that appears twice, or returns "". Of a few keys,
// only those of a length seen before are compared with the ones before
// them: keys mostly differ in length.
func duplicate(keys []string) string {
	if len(keys) <= 32 {
		var lengths uint64 // bit n%64: a key of length n was seen
		for i, k := range keys {
			bit := uint64(1) << (len(k) % 64)
			if lengths&bit != 0 && slices.Contains(keys[:i], k) {
				return fmt.Sprintf("key %q appears twice", k)
			}
			lengths |= bit
		}
		return ""
	}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[k] {
			return fmt.Sprintf("key %q appears twice", k)
		}
		seen[k] = true
	}
	return ""
}

func (k jsonKind) String() string {
	return [...]string{"?", "string", "number", "boolean", "boolean", "null", "array", "object"}[k]
}

// jsonProblem says why b is not one JSON object, in encoding/json's words.
func jsonProblem(b []byte) string {
	var v json.RawMessage
	err := json.Unmarshal(b, &v)
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %v", syn.Offset, err)
	case err != nil:
		return "invalid JSON: " + err.Error()
	}
	kind := map[byte]string{'[': "an array", '"': "a string", 't': "a boolean", 'f': "a boolean", 'n': "null"}[v[0]]
	if kind == "" {
		kind = "a number"
	}
	return "not a JSON object but " + kind
}
