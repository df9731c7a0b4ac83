package source

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// FuzzJSONL checks that the reader never panics, accounts for every byte,
// resumes at any record to the same records, and reads each line as the
// reference built on encoding/json below does.
func FuzzJSONL(f *testing.F) {
	files, _ := filepath.Glob("testdata/jsonl/*.jsonl")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(20))
	}
	for _, s := range []string{
		`{"id":"\ud83d\ude00","x":"\ud800\u0041","y":"\udc00\ud800"}`,
		`{"id":1e5,"properties":{"a":[1,"b",null,false],"b":{}},"c":[]}`,
		`{"id":"1","properties":"flat"}`, `{"i\u0064":"1","properties":{"id":"2"}}`,
		` {"id" : -0.5e-3 , "a" : [ ] } `, `{"id":"1","a":01}`, `{"id":"1","a":"\x"}`,
		`{"id":"1","a":[[]],"b":1}`, "{\"id\":\"1\",\"a\":\"\t\"}", `{"id":"x","_error":{"a":1}}`,
		`{"id":"1","a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"a":17}`,
	} {
		f.Add([]byte(s+"\n"+s), uint16(30))
	}
	f.Fuzz(fuzzJSONLInput)
}

func fuzzJSONLInput(t *testing.T, data []byte, max uint16) {
	changed := func() bool { return true }
	for _, opts := range []Options{{}, {MaxRecordBytes: int(max%128) + 1, Changed: changed}} {
		r, err := NewJSONL(bytes.NewReader(data), opts)
		if err != nil {
			t.Fatalf("NewJSONL: %v", err)
		}
		recs := readAll(t, r)
		if err := checkLayout(data, jsonlStart(data), recs, blank, opts.withDefaults().MaxRecordBytes); err != nil {
			t.Fatal(err)
		}
		if err := checkIncomplete(data, recs, opts.Changed != nil); err != nil {
			t.Fatal(err)
		}
		checkResume(t, data, recs, func(start Position) (reader, error) {
			o := opts
			o.Start = start
			return NewJSONL(bytes.NewReader(data), o)
		})
		for _, rec := range recs {
			if rec.Err != nil && (rec.Err.Code == CodeRecordTooLarge || rec.Err.Code == CodeIncomplete) {
				continue
			}
			got := Record{ID: rec.ID, Props: rec.Props, Err: rec.Err}
			if diff := cmp.Diff(refParse(rec.Raw, "id"), got, recordOpts); diff != "" {
				t.Fatalf("line %q (-encoding/json +ours):\n%s", rec.Raw, diff)
			}
		}
	}
}

type refMember struct {
	key string
	raw json.RawMessage
}

// refParse is what JSONLReader does to a line, written with encoding/json
// for clarity rather than speed.
func refParse(line []byte, idKey string) Record {
	fail := func(code string) Record { return Record{Err: &RecordError{Code: code}} }
	top, ok := refObject(line)
	if !utf8.Valid(line) || !json.Valid(line) || !ok {
		return fail(CodeInvalidJSON)
	}
	props, nested := top, false
	for _, m := range top {
		if m.key == "properties" && m.raw[0] == '{' {
			props, _ = refObject(m.raw)
			nested = true
		}
	}
	if refDuplicate(top) || refDuplicate(props) {
		return fail(CodeInvalidValue)
	}
	for _, m := range top {
		if nested && m.key != idKey && m.key != "_error" && m.key != "properties" &&
			slices.ContainsFunc(props, func(p refMember) bool { return p.key == m.key }) {
			return fail(CodeInvalidValue)
		}
	}
	var rec Record
	for _, m := range top {
		if m.key != idKey {
			continue
		}
		switch v := refValue(m.raw).(type) {
		case string:
			rec.ID = strings.TrimSpace(v)
		case json.Number:
			rec.ID = v.String()
		case nil:
		default:
			return fail(CodeMissingID)
		}
	}
	if rec.ID == "" {
		return fail(CodeMissingID)
	}
	for _, m := range props {
		if !nested && (m.key == idKey || m.key == "_error") {
			continue
		}
		s, ok := refString(refValue(m.raw), true)
		if !ok {
			rec.Props = nil
			rec.Err = &RecordError{Code: CodeInvalidValue}
			return rec
		}
		rec.Props = append(rec.Props, Prop{Name: m.key, Value: s})
	}
	return rec
}

// refObject returns the members of the object b, in order.
func refObject(b []byte) ([]refMember, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var ms []refMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		ms = append(ms, refMember{key: tok.(string), raw: raw})
	}
	return ms, true
}

func refValue(raw json.RawMessage) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		panic(err)
	}
	return v
}

func refString(v any, top bool) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	case nil:
		return "", true
	case []any:
		if !top {
			return "", false
		}
		parts := make([]string, len(v))
		for i, e := range v {
			s, ok := refString(e, false)
			if !ok {
				return "", false
			}
			parts[i] = s
		}
		return strings.Join(parts, ";"), true
	}
	return "", false
}

func refDuplicate(ms []refMember) bool {
	seen := map[string]bool{}
	for _, m := range ms {
		if seen[m.key] {
			return true
		}
		seen[m.key] = true
	}
	return false
}

// TestJSONLSyntax compares the reader's verdict on lines a fuzzer is
// unlikely to build with encoding/json's.
func TestJSONLSyntax(t *testing.T) {
	deep := func(n int) string {
		return `{"id":1,"a":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + "}"
	}
	tests := []struct {
		name string
		text string
	}{
		{"depth_limit", deep(10000)},
		{"past_depth_limit", deep(10001)},
		{"all_escapes", `{"id":1,"a":"\"\\\/\b\f\n\r\t\u0000\uFFFF"}`},
		{"bad_escape", `{"id":1,"a":"\a"}`},
		{"short_unicode_escape", `{"id":1,"a":"\u12"}`},
		{"control_character", "{\"id\":1,\"a\":\"\x01\"}"},
		{"numbers", `{"id":1,"a":[0,-0,1.0,1e1,1E+1,1e-1,-12.34e56]}`},
		{"bad_numbers", `{"id":1,"a":[1.,.1]}`},
		{"leading_zero", `{"id":1,"a":00}`},
		{"minus_only", `{"id":1,"a":-}`},
		{"trailing_comma", `{"id":1,"a":1,}`},
		{"trailing_text", `{"id":1,"a":1} x`},
		{"two_objects", `{"id":1}{}`},
		{"empty_object", ` {} `},
		{"truncated_literal", `{"id":1,"a":tru}`},
		{"missing_colon", `{"id":1,"a" 1}`},
		{"not_an_object", `[{}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewJSONL(strings.NewReader(tt.text), Options{})
			if err != nil {
				t.Fatal(err)
			}
			rec, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			got := rec.Err == nil || rec.Err.Code != CodeInvalidJSON
			want := json.Valid([]byte(tt.text)) && strings.HasPrefix(strings.TrimSpace(tt.text), "{")
			if got != want {
				t.Errorf("valid = %v (%v), encoding/json says %v", got, rec.Err, want)
			}
		})
	}
}

// TestJSONLStrings checks that escapes decode as encoding/json decodes
// them, unpaired surrogates included.
func TestJSONLStrings(t *testing.T) {
	for _, s := range []string{
		`plain`, `\"\\\/\b\f\n\r\t`, `\u00e9\u4e16`, `\ud83d\ude00`, `\ud800`, `\udc00`,
		`\ud800\u0041`, `\ud800\ud800\udc00`, `\ud83d\ude00\ud83d`, `a\u0000b`,
	} {
		t.Run(s, func(t *testing.T) {
			var want string
			if err := json.Unmarshal([]byte(`"`+s+`"`), &want); err != nil {
				t.Fatal(err)
			}
			r, err := NewJSONL(strings.NewReader(`{"id":"1","a":"`+s+`"}`), Options{})
			if err != nil {
				t.Fatal(err)
			}
			rec, err := r.Next()
			if err != nil || rec.Err != nil || len(rec.Props) != 1 {
				t.Fatalf("record %+v, error %v", rec, err)
			}
			if got := rec.Props[0].Value; got != want {
				t.Errorf("value %q, encoding/json gives %q", got, want)
			}
		})
	}
}
