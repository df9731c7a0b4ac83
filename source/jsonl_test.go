package source

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// jsonlOpts leaves Raw, always the line's bytes, to checkLayout.
var jsonlOpts = cmp.Options{recordOpts, cmpopts.IgnoreFields(Record{}, "Raw")}

// jsonlCases are read from testdata/jsonl/<file or name>.jsonl.
var jsonlCases = []struct {
	name string
	file string
	opts Options
	want []Record
}{
	{name: "flat", want: []Record{
		{Line: 1, ID: "1", Props: p("name", "Ann", "age", "42")},
		{Line: 2, ID: "2", Props: p("name", "Bob")},
	}},
	{name: "id_column", file: "flat", opts: Options{IDColumn: "name"}, want: []Record{
		{Line: 1, ID: "Ann", Props: p("id", "1", "age", "42")},
		{Line: 2, ID: "Bob", Props: p("id", "2")},
	}},
	{name: "nested", want: []Record{
		{Line: 1, ID: "1", Props: p("name", "Ann", "email", "a@x.io")},
	}},
	{name: "values", want: []Record{
		{Line: 1, ID: "1", Props: p("s", "x", "n", "1.50", "e", "-2e3", "t", "true", "f", "false", "z", "",
			"arr", "a;1;true;", "none", "", "esc", "a\"b\u00e9\n")},
	}},
	{name: "invalid_value", want: []Record{
		{Line: 1, ID: "1", Err: bad(CodeInvalidValue)},
		{Line: 2, ID: "2", Err: bad(CodeInvalidValue)},
		{Line: 3, ID: "3", Props: p("ok", "x")},
	}},
	{name: "invalid_json", want: []Record{
		{Line: 1, Err: bad(CodeInvalidJSON)},
		{Line: 2, Err: bad(CodeInvalidJSON)},
		{Line: 3, Err: bad(CodeInvalidJSON)},
		{Line: 4, Err: bad(CodeInvalidJSON)},
		{Line: 5, ID: "2"},
	}},
	{name: "invalid_utf8", want: []Record{
		{Line: 1, Err: bad(CodeInvalidJSON)},
		{Line: 2, ID: "2"},
	}},
	{name: "missing_id", want: []Record{
		{Line: 1, Err: bad(CodeMissingID)},
		{Line: 2, Err: bad(CodeMissingID)},
		{Line: 3, Err: bad(CodeMissingID)},
		{Line: 4, Err: bad(CodeMissingID)},
		{Line: 5, Err: bad(CodeMissingID)},
	}},
	{name: "blank_lines", want: []Record{{Line: 3, ID: "1"}, {Line: 5, ID: "2"}}},
	{name: "bom", want: []Record{{Line: 1, ID: "1"}}},
	{name: "error_key", want: []Record{{Line: 1, ID: "1", Props: p("name", "x")}}},
	{name: "duplicate_key", want: []Record{
		{Line: 1, Err: bad(CodeInvalidValue)},
		{Line: 2, Err: bad(CodeInvalidValue)},
	}},
	// A key both flat and under "properties" has two values: which one the
	// file means cannot be told.
	{name: "property_conflict", want: []Record{
		{Line: 1, Err: bad(CodeInvalidValue)},
		{Line: 2, Err: bad(CodeInvalidValue)},
		{Line: 3, ID: "3", Props: p("a", "y", "id", "3")},
		{Line: 4, ID: "4", Props: p("properties", "flat", "a", "x")},
	}},
	{name: "too_large", opts: Options{MaxRecordBytes: 32}, want: []Record{
		{Line: 1, ID: "1"},
		{Line: 2, Err: bad(CodeRecordTooLarge)},
		{Line: 3, ID: "3"},
	}},
}

func openJSONLCase(t *testing.T, name, file string, opts Options) ([]byte, *JSONLReader) {
	t.Helper()
	if file == "" {
		file = name
	}
	data := readFixture(t, "jsonl/"+file+".jsonl")
	r, err := NewJSONL(bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("NewJSONL: %v", err)
	}
	return data, r
}

func jsonlStart(data []byte) int64 {
	if bytes.HasPrefix(data, bom) {
		return int64(len(bom))
	}
	return 0
}

func TestJSONL(t *testing.T) {
	for _, tt := range jsonlCases {
		t.Run(tt.name, func(t *testing.T) {
			data, r := openJSONLCase(t, tt.name, tt.file, tt.opts)
			got := readAll(t, r)
			if diff := cmp.Diff(tt.want, got, jsonlOpts); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if err := checkLayout(data, jsonlStart(data), got, blank, tt.opts.withDefaults().MaxRecordBytes); err != nil {
				t.Error(err)
			}
			for i, rec := range got {
				if rec.Raw == nil {
					t.Errorf("record %d has no Raw", i)
				}
			}
		})
	}
}

func TestJSONLResume(t *testing.T) {
	for _, tt := range jsonlCases {
		t.Run(tt.name, func(t *testing.T) {
			data, r := openJSONLCase(t, tt.name, tt.file, tt.opts)
			all := readAll(t, r)
			for i, rec := range all {
				opts := tt.opts
				opts.Start = Position{Offset: rec.Offset, Line: rec.Line}
				r, err := NewJSONL(bytes.NewReader(data), opts)
				if err != nil {
					t.Fatalf("NewJSONL at record %d: %v", i, err)
				}
				if diff := cmp.Diff(all[i:], readAll(t, r)); diff != "" {
					t.Errorf("resume at record %d (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

func TestJSONLOffsets(t *testing.T) {
	tests := []struct {
		name string
		want []Record // Line, Offset, End, EndLine
	}{
		{"blank_lines", []Record{{Line: 3, Offset: 5, End: 17, EndLine: 4}, {Line: 5, Offset: 20, End: 30, EndLine: 5}}},
		{"bom", []Record{{Line: 1, Offset: 3, End: 14, EndLine: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r := openJSONLCase(t, tt.name, "", Options{})
			var got []Record
			for _, rec := range readAll(t, r) {
				got = append(got, Record{Line: rec.Line, Offset: rec.Offset, End: rec.End, EndLine: rec.EndLine})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("positions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJSONLErrorMessages(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		record int
		want   []string
	}{
		{"invalid_json", Options{}, 0, []string{"line 1", "invalid character '}'", "byte 11"}},
		{"invalid_json", Options{}, 1, []string{"line 2", "not a JSON object but an array"}},
		{"invalid_json", Options{}, 2, []string{"line 3", "not a JSON object but a string"}},
		{"truncated", Options{}, 0, []string{"line 1", "invalid JSON at byte 10: unexpected end of JSON input"}},
		{"invalid_utf8", Options{}, 0, []string{"line 1", "UTF-8"}},
		{"invalid_value", Options{}, 0, []string{"line 1", `property "o"`, "object"}},
		{"invalid_value", Options{}, 1, []string{"line 2", `property "arr"`, "array"}},
		{"missing_id", Options{}, 0, []string{"line 1", `no "id" key`}},
		{"missing_id", Options{}, 1, []string{"line 2", `"id" is null`}},
		{"missing_id", Options{}, 2, []string{"line 3", `"id" is empty`}},
		{"missing_id", Options{}, 3, []string{"line 4", "boolean", "string or a number"}},
		{"duplicate_key", Options{}, 0, []string{"line 1", `"a" appears twice`}},
		{"duplicate_key", Options{}, 1, []string{"line 2", `properties: key "b" appears twice`}},
		{"property_conflict", Options{}, 0, []string{"line 1", `key "a"`, "top level", `under "properties"`}},
		{"property_conflict", Options{}, 1, []string{"line 2", `key "b"`}},
		{"too_large", Options{MaxRecordBytes: 32}, 1, []string{"line 2", "63 bytes", "limit of 32", "--max-record-bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r := openJSONLCase(t, tt.name, "", tt.opts)
			msg := readAll(t, r)[tt.record].Err.Message
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestJSONLReadError(t *testing.T) {
	data := readFixture(t, "jsonl/flat.jsonl")
	r, err := NewJSONL(&errReadSeeker{r: bytes.NewReader(data), n: 40}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = r.Next()
	}
	if !errors.Is(err, errDisk) {
		t.Errorf("Next error %v, want %v", err, errDisk)
	}
}

// TestJSONLConflictManyKeys finds a key both flat and nested among enough
// keys for the reader to look them up rather than compare every pair.
func TestJSONLConflictManyKeys(t *testing.T) {
	var top, props []string
	for i := range 40 {
		top = append(top, fmt.Sprintf(`"t%d":1`, i))
		props = append(props, fmt.Sprintf(`"p%d":1`, i))
	}
	for _, tt := range []struct {
		name, extra string
		want        string // code
	}{
		{"none", "", ""},
		{"conflict", `,"p33":2`, CodeInvalidValue},
	} {
		t.Run(tt.name, func(t *testing.T) {
			line := `{"id":"1",` + strings.Join(top, ",") + tt.extra + `,"properties":{` + strings.Join(props, ",") + "}}\n"
			r, err := NewJSONL(strings.NewReader(line), Options{})
			if err != nil {
				t.Fatal(err)
			}
			rec, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if rec.Err != nil {
				got = rec.Err.Code
				if !strings.Contains(rec.Err.Message, `key "p33"`) {
					t.Errorf("message %q does not name the key", rec.Err.Message)
				}
			}
			if got != tt.want {
				t.Errorf("error %v, want code %q", rec.Err, tt.want)
			}
		})
	}
}

// TestDuplicate finds a repeated key both ways duplicate looks: pair by
// pair for a few keys, and through a map for more than 32.
func TestDuplicate(t *testing.T) {
	long := strings.Repeat("k", 64)
	many := make([]string, 40)
	for i := range many {
		many[i] = fmt.Sprint("key", i)
	}
	tests := []struct {
		name string
		keys []string
		dup  bool
		want string // the key repeated
	}{
		{"none", nil, false, ""},
		{"few distinct", []string{"id", "name", "city"}, false, ""},
		{"few repeated", []string{"id", "ab", "cd", "ab"}, true, "ab"},
		{"long keys alike but for the end", []string{"a", long + "x", "b", long + "y", long + "x"}, true, long + "x"},
		{"empty key twice", []string{"", "x", ""}, true, ""},
		{"many distinct", many, false, ""},
		{"many repeated", append(append([]string(nil), many...), "key7"), true, "key7"},
		{"many repeated first", append([]string{"key39"}, many...), true, "key39"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := make([]member, len(tt.keys))
			for i, k := range tt.keys {
				ms[i] = member{key: k}
			}
			got, dup := duplicate(ms)
			if got != tt.want || dup != tt.dup {
				t.Errorf("duplicate(%q) = %q, %v; want %q, %v", tt.keys, got, dup, tt.want, tt.dup)
			}
		})
	}
}
