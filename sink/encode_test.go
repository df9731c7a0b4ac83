package sink

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nastyStrings are values that JSON string encoding must get right.
var nastyStrings = []string{
	"",
	"plain",
	`quote " and backslash \ and slash /`,
	"newline\n return\r tab\t backspace\b formfeed\f",
	"\x00\x01\x1f\x7f control",
	"line sep \u2028 para sep \u2029",
	"html <script>&amp;</script>",
	"unicode: élan 日本語 🎉",
	"invalid utf-8: \xff\xfe and cut \xe2\x82",
	"lone surrogate bytes \xed\xa0\x80",
	`{"inputs":[]}`,
	strings.Repeat("long ", 2000),
}

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`quote " and backslash \ and slash /`, `"quote \" and backslash \\ and slash /"`},
		{"newline\n return\r tab\t backspace\b formfeed\f", `"newline\n return\r tab\t backspace\b formfeed\f"`},
		{"\x00\x01\x1f\x7f control", `"\u0000\u0001\u001f` + "\x7f" + ` control"`},
		{"html <script>&amp;</script>", `"html <script>&amp;</script>"`},
		{"line sep \u2028", "\"line sep \u2028\""},
		{"unicode: élan 日本語 🎉", `"unicode: élan 日本語 🎉"`},
		{"invalid utf-8: \xff\xfe and cut \xe2\x82", "\"invalid utf-8: \ufffd\ufffd and cut \ufffd\ufffd\""},
	}
	for _, tt := range tests {
		if got := string(appendString(nil, tt.in)); got != tt.want {
			t.Errorf("appendString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestEncodeBatch(t *testing.T) {
	tests := []struct {
		name       string
		inputs     []Input
		idProperty string
		want       string
	}{
		{"one input, properties in order", []Input{{ID: "12021896773", Props: []PropertyValue{
			{Name: "z_last", Value: "1"}, {Name: "a_first", Value: "Follow-up \"sent\""},
		}}}, "",
			`{"inputs":[{"id":"12021896773","properties":{"z_last":"1","a_first":"Follow-up \"sent\""},"objectWriteTraceId":"hs-ab-000041"}]}`},
		{"idProperty and no properties", []Input{{ID: "EXT-77"}, {ID: "EXT-78", Props: []PropertyValue{{Name: "p", Value: ""}}}}, "my_unique_prop",
			`{"inputs":[{"id":"EXT-77","properties":{},"idProperty":"my_unique_prop","objectWriteTraceId":"hs-ab-000041"},` +
				`{"id":"EXT-78","properties":{"p":""},"idProperty":"my_unique_prop","objectWriteTraceId":"hs-ab-000042"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(encodeBatch(nil, tt.inputs, tt.idProperty, "hs-ab", 41))
			if got != tt.want {
				t.Errorf("encodeBatch =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestEncodeBatchRoundTrip decodes our encoding with encoding/json and
// compares with what encoding/json makes of the same strings.
func TestEncodeBatchRoundTrip(t *testing.T) {
	var inputs []Input
	for i, s := range nastyStrings {
		inputs = append(inputs, Input{ID: s, Props: []PropertyValue{{Name: s, Value: s}, {Name: fmt.Sprint("p", i), Value: s}}})
	}
	checkRoundTrip(t, inputs, "prop \"\u2028")
}

func checkRoundTrip(t *testing.T, inputs []Input, idProperty string) {
	t.Helper()
	body := encodeBatch(nil, inputs, idProperty, "hs-x", 1)
	if !json.Valid(body) {
		t.Fatalf("invalid JSON: %q", body)
	}
	var got sentBatch
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Inputs) != len(inputs) {
		t.Fatalf("decoded %d inputs, want %d", len(got.Inputs), len(inputs))
	}
	for i, in := range inputs {
		g := got.Inputs[i]
		props := map[string]string{}
		for _, p := range in.Props {
			props[viaJSON(p.Name)] = viaJSON(p.Value)
		}
		if g.ID != viaJSON(in.ID) || g.IDProperty != viaJSON(idProperty) || g.TraceID != fmt.Sprintf("hs-x-%06d", i+1) {
			t.Errorf("input %d decoded as id %q idProperty %q trace %q", i, g.ID, g.IDProperty, g.TraceID)
		}
		if diff := cmp.Diff(props, g.Properties); diff != "" {
			t.Errorf("input %d properties (-want +got):\n%s", i, diff)
		}
	}
}

// viaJSON is what encoding/json's own round trip makes of s.
func viaJSON(s string) string {
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}

func FuzzEncode(f *testing.F) {
	for _, s := range nastyStrings[:len(nastyStrings)-1] {
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, id, name, value string) {
		inputs := []Input{
			{ID: id, Props: []PropertyValue{{Name: name, Value: value}}},
			{ID: value, Props: []PropertyValue{{Name: "fixed", Value: id}}},
			{ID: id, Props: []PropertyValue{{Name: name, Value: id}, {Name: value, Value: name}}},
			{ID: name, Props: []PropertyValue{{Name: name, Value: value}, {Name: value, Value: id}}},
			{ID: value, Props: []PropertyValue{{Name: id, Value: value}, {Name: value, Value: value}}},
		}
		checkRoundTrip(t, inputs, name)
	})
}

func TestTraceIndex(t *testing.T) {
	tests := []struct {
		name  string
		trace string
		start uint64
		n     int
		want  int
	}{
		{"first", "hs-ab-000041", 41, 3, 0},
		{"last", "hs-ab-000043", 41, 3, 2},
		{"past the batch", "hs-ab-000044", 41, 3, -1},
		{"before the batch", "hs-ab-000040", 41, 3, -1},
		{"other prefix", "hs-cd-000041", 41, 3, -1},
		{"prefix of prefix", "hs-a-000041", 41, 3, -1},
		{"unpadded spelling", "hs-ab-41", 41, 3, -1},
		{"wide counter", "hs-ab-1234567", 1234567, 1, 0},
		{"not a number", "hs-ab-00004x", 41, 3, -1},
		{"empty", "", 41, 3, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := traceIndex(tt.trace, "hs-ab", tt.start, tt.n); got != tt.want {
				t.Errorf("traceIndex(%q) = %d, want %d", tt.trace, got, tt.want)
			}
		})
	}
}

// benchInputs is a batch of n inputs with props properties each, of
// realistic communications content.
func benchInputs(n, props int) []Input {
	inputs := make([]Input, n)
	for i := range inputs {
		ps := make([]PropertyValue, props)
		for j := range ps {
			ps[j] = PropertyValue{Name: fmt.Sprintf("hs_custom_property_%d", j),
				Value: fmt.Sprintf("Follow-up message %d/%d: \"thanks\" — see you at 10:00\n", i, j)}
		}
		inputs[i] = Input{ID: fmt.Sprint(12021896000 + i), Props: ps}
	}
	return inputs
}

// perRecord runs body in a b.Loop and reports time and allocations per
// record of a batch of records.
func perRecord(b *testing.B, records int, body func()) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	loops := 0
	for b.Loop() {
		body()
		loops++
	}
	runtime.ReadMemStats(&after)
	n := float64(loops * records)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/record")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/record")
}

// plainInputs returns n inputs with values as bench/gen writes them:
// short, plain ASCII, nothing to escape.
func plainInputs(n int) []Input {
	in := make([]Input, n)
	for i := range in {
		id := fmt.Sprint(1000 + i)
		in[i] = Input{ID: id, Props: []PropertyValue{{Name: "hs_communication_body", Value: "Message number " + id + " about the order"},
			{Name: "hs_communication_channel_type", Value: "LINKEDIN_MESSAGE"}, {Name: "hs_communication_logged_from", Value: "CRM"},
			{Name: "hs_timestamp", Value: "2026-01-01T00:00:01.000Z"}, {Name: "hubspot_owner_id", Value: "1002"},
			{Name: "message_count", Value: id}, {Name: "is_priority", Value: "false"}, {Name: "follow_up_date", Value: "2026-01-02"},
			{Name: "sentiment", Value: "neu"}, {Name: "topics", Value: "SUPPORT"}}}
	}
	return in
}

func BenchmarkEncode(b *testing.B) {
	for _, bc := range []struct {
		name   string
		inputs []Input
	}{
		{"plain values", plainInputs(100)},
		{"escapes", benchInputs(100, 10)}, // quotes, a newline and a dash in every value
	} {
		b.Run(bc.name, func(b *testing.B) {
			var buf []byte
			perRecord(b, len(bc.inputs), func() {
				buf = encodeBatch(buf[:0], bc.inputs, "", "hs-3f9a1c2b", 42)
			})
			b.SetBytes(int64(len(buf)))
		})
	}
}
