package deadletter

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/hubsync/hubsync/source"
)

// errorInfo is the "_error" object of a JSONL entry.
type errorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Line    int64  `json:"line"`
	// The original line, when it is not a JSON object: as a string, or in
	// base64 if it is not valid UTF-8.
	Raw       *string `json:"raw,omitempty"`
	RawBase64 []byte  `json:"raw_base64,omitempty"`
}

// jsonlEntry writes the original object of rec with "_error" as its last
// key (replacing any "_error" it had), or, for a line that is not a JSON
// object, an object holding only "_error" with the line in it.
func jsonlEntry(buf *bytes.Buffer, rec *source.Record, code, message string) error {
	info := errorInfo{Code: code, Message: message, Line: rec.Line}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	if members, ok := objectMembers(rec.Raw); ok {
		for _, m := range members {
			if m.key == "_error" {
				continue
			}
			if err := encodeCompact(buf, enc, m.key); err != nil {
				return err
			}
			buf.WriteByte(':')
			buf.Write(m.value)
			buf.WriteByte(',')
		}
	} else if rec.Raw != nil {
		if utf8.Valid(rec.Raw) {
			raw := string(rec.Raw)
			info.Raw = &raw
		} else {
			info.RawBase64 = rec.Raw
		}
	}
	buf.WriteString(`"_error":`)
	if err := encodeCompact(buf, enc, info); err != nil {
		return err
	}
	buf.WriteString("}\n")
	return nil
}

// encodeCompact writes v as JSON without the newline Encoder adds.
func encodeCompact(buf *bytes.Buffer, enc *json.Encoder, v any) error {
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1)
	return nil
}

type jsonMember struct {
	key   string
	value json.RawMessage
}

// objectMembers returns the members of b, in order, if b is one valid JSON
// object in valid UTF-8.
func objectMembers(b []byte) ([]jsonMember, bool) {
	if !utf8.Valid(b) || !json.Valid(b) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var ms []jsonMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		ms = append(ms, jsonMember{key: tok.(string), value: v})
	}
	return ms, true
}
