package sink

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var batchBodyOpts = cmp.Options{cmp.AllowUnexported(batchBody{}, resultRef{}, errorRef{}), cmpopts.EquateEmpty()}

func TestParseBatch(t *testing.T) {
	tests := []struct {
		name, body, idProperty string
		want                   batchBody
	}{
		{"ids and traces", `{"status":"COMPLETE","results":[{"id":"1001","objectWriteTraceId":"t1"},{"id":"1002"}]}`, "",
			batchBody{status: "COMPLETE", results: []resultRef{{id: "1001", trace: "t1"}, {id: "1002"}}}},
		{"members not read are skipped", `{"links":{"a":"b"},"numErrors":1,"results":[{"id":"1","url":"u\"}","archived":false,"createdAt":null,"properties":{"a":"}{[","b":[1,{"c":"]"}]},"warnings":[{"category":"W"}]}]}`, "",
			batchBody{results: []resultRef{{id: "1"}}}},
		{"whitespace everywhere", " {\n \"results\" :\t[ { \"id\" : \"1\" , \"objectWriteTraceId\" : \"t\" } ] ,\r\"status\" : \"COMPLETE\" } \n", "",
			batchBody{status: "COMPLETE", results: []resultRef{{id: "1", trace: "t"}}}},
		{"numbers and bools as ids", `{"results":[{"id":1001},{"id":-0.5e+10},{"id":true},{"id":null},{"id":{"a":1}},{"id":[1]}]}`, "",
			batchBody{results: []resultRef{{id: "1001"}, {id: "-0.5e+10"}, {id: "true"}, {}, {}, {}}}},
		{"escapes", `{"status":"\"\\\/\b\f\n\r\t","results":[{"id":"\u0031\u0030"},{"id":"\ud83d\ude00"},{"id":"\u00e9\u20AC"}]}`, "",
			batchBody{status: "\"\\/\b\f\n\r\t", results: []resultRef{{id: "10"}, {id: "😀"}, {id: "é€"}}}},
		{"lone surrogates", `{"results":[{"id":"\ud83d"},{"id":"\ude00\ud83dx"}]}`, "",
			batchBody{results: []resultRef{{id: "\ufffd"}, {id: "\ufffd\ufffdx"}}}},
		{"escaped member names", `{"st\u0061tus":"x","\u0072esults":[{"\u0069d":"1","objectWriteTrace\u0049d":"t"}],"errors":[{"c\u0061tegory":"C","context":{"\u0069ds":["2"]}}]}`, "",
			batchBody{status: "x", results: []resultRef{{id: "1", trace: "t"}}, errors: []errorRef{{category: "C", ids: []string{"2"}}}}},
		{"member names are exact", `{"Status":"x","RESULTS":[{"id":"1"}],"results":[{"ID":"2","properties":{"EXT_ID":"A"}}]}`, "ext_id",
			batchBody{results: []resultRef{{}}}},
		{"invalid UTF-8 kept raw", "{\"results\":[{\"id\":\"\xff1\"}]}", "",
			batchBody{results: []resultRef{{id: "\xff1"}}}},
		{"idProperty echoed", `{"results":[{"id":"9","properties":{"hs_object_id":"9","ext_id":"A"}},{"id":"8","properties":{"ext_id":7}},{"id":"7","properties":null},{"id":"6","properties":["ext_id"]}]}`, "ext_id",
			batchBody{results: []resultRef{{id: "9", prop: "A"}, {id: "8", prop: "7"}, {id: "7"}, {id: "6"}}}},
		{"idProperty not wanted", `{"results":[{"id":"9","properties":{"ext_id":"A"}}]}`, "",
			batchBody{results: []resultRef{{id: "9"}}}},
		{"207 errors", `{"status":"COMPLETE","results":[],"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"gone","context":{"ids":["1",2,null,{},[],true],"objectWriteTraceId":"t"}},{"context":{"ids":null}},{"context":{"ids":{}}},{"context":{"ids":-1.5}}]}`, "",
			batchBody{status: "COMPLETE", errors: []errorRef{
				{category: "OBJECT_NOT_FOUND", message: "gone", ids: []string{"1", "2", "", "", "", "true"}, traces: []string{"t"}},
				{}, {}, {ids: []string{"-1.5"}},
			}}},
		{"wrong types ignored", `{"status":404,"results":{"id":"1001"},"errors":"none"}`, "",
			batchBody{status: "404"}},
		{"elements of the wrong type count", `{"results":["1001",{"id":"1002"},7,null],"errors":[1,{"category":"C"}]}`, "",
			batchBody{results: []resultRef{{}, {id: "1002"}, {}, {}}, errors: []errorRef{{}, {category: "C"}}}},
		{"duplicate members: the last wins", `{"status":"A","status":"B","results":[{"id":"1","id":"2"}],"results":[{"id":"3"}],"results":5}`, "",
			batchBody{status: "B", results: []resultRef{{id: "3"}}}},
		{"another top-level value", `[{"status":"COMPLETE"}]`, "", batchBody{}},
		{"top-level null", `null`, "", batchBody{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseBatch([]byte(tt.body), tt.idProperty, 2)
			if err != nil {
				t.Fatalf("parseBatch(%q) error = %v", tt.body, err)
			}
			if diff := cmp.Diff(tt.want, got, batchBodyOpts); diff != "" {
				t.Errorf("parseBatch(%q) (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

// TestParseBatchRejects checks that a body that is not JSON is unreadable,
// wherever the fault is: the batch is then retried, never taken as
// applied.
func TestParseBatchRejects(t *testing.T) {
	tests := []struct{ name, body, at string }{
		{"empty", ``, ""},
		{"blank", " \t\r\n", ""},
		{"cut short", `{"results":[{"id":"1"}`, "byte 22"},
		{"cut short in an echo", `{"results":[{"id":"7","properties":{"a":"}`, ""},
		{"cut short in a string", `{"results":[{"id":"7","url":"cut \"short`, ""},
		{"trailing data", `{} {}`, ""},
		{"trailing comma", `{"status":"x",}`, ""},
		{"missing colon in an echo", `{"results":[{"id":"7","properties":{"a" "1"}}]}`, ""},
		{"bad escape in a member not read", `{"results":[{"id":"7","url":"bad \x escape"}]}`, ""},
		{"control character", "{\"status\":\"a\tb\"}", ""},
		{"bad number", `{"results":[{"id":01}]}`, ""},
		{"bad literal", `{"status":nulll}`, ""},
		{"html", `<html>502 Bad Gateway</html>`, "byte 0"},
		{"too deep", `{"results":[{"id":"1","x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseBatch([]byte(tt.body), "ext_id", 1)
			if err == nil || !strings.Contains(err.Error(), tt.at) {
				t.Errorf("parseBatch(%q) error = %v, want one at %q", tt.body, err, tt.at)
			}
		})
	}
}

// fixtureSeeds returns every fixture in testdata and variations of it:
// cut short, re-indented, compacted and with member names upper-cased.
func fixtureSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.*")) // fixtures, not the fuzz corpus folder
	if err != nil || len(files) == 0 {
		tb.Fatalf("list testdata: %v (%d files)", err, len(files))
	}
	var seeds [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, b, b[:len(b)/2], bytes.ReplaceAll(b, []byte(`"id"`), []byte(`"ID"`)))
		var ind, compact bytes.Buffer
		if json.Indent(&ind, b, "", "\t") == nil && json.Compact(&compact, b) == nil {
			seeds = append(seeds, ind.Bytes(), compact.Bytes())
		}
	}
	return seeds
}

// FuzzDecodeResponse checks decodeBatch on any bytes: it never panics, it
// reads exactly the bodies that are JSON (as json.Valid, which also
// accepts duplicate names and invalid UTF-8, judges them), and what it
// resolves is sound: one item per input, none applied without a result,
// none failed without an error.
func FuzzDecodeResponse(f *testing.F) {
	for _, body := range fixtureSeeds(f) {
		for _, idProperty := range []string{"", "ext_id", "hs_object_id"} {
			f.Add(body, idProperty)
		}
	}
	inputs := inputsFor("1001", "1002", "1003")
	f.Add(benchBody(inputs, "hs-t", 1, true, ""), "")
	f.Add(benchBody(inputs, "hs-t", 1, false, "ext_id"), "ext_id")
	f.Add(bench207Body(inputs, "hs-t", 1, 1), "")
	f.Fuzz(func(t *testing.T, body []byte, idProperty string) {
		b, err := parseBatch(body, idProperty, len(inputs))
		if valid := json.Valid(body); (err == nil) != valid {
			t.Fatalf("parseBatch(%q) error = %v, json.Valid = %v", body, err, valid)
		}
		if err != nil {
			return
		}
		m := batchMeta{idProperty: idProperty, tracePrefix: "hs-t", traceStart: 1}
		items, err := decodeBatch(body, inputs, m)
		if err != nil || len(items) != len(inputs) {
			t.Fatalf("decodeBatch(%q) = %d items, %v; want %d", body, len(items), err, len(inputs))
		}
		for i, it := range items {
			if it.Outcome == Applied && len(b.results) == 0 {
				t.Errorf("decodeBatch(%q): input %d applied, but the body has no results", body, i)
			}
			if it.Outcome == Failed && len(b.errors) == 0 {
				t.Errorf("decodeBatch(%q): input %d failed, but the body has no errors", body, i)
			}
		}
	})
}

// The encoding/json decoding of 200/207 bodies, with struct tags, that
// BenchmarkDecodeBody compares parseBatch with.
type jsonBody[R any] struct {
	Status  flexString  `json:"status"`
	Results []R         `json:"results"`
	Errors  []jsonError `json:"errors"`
}

type jsonResult struct {
	ID      flexString `json:"id"`
	TraceID flexString `json:"objectWriteTraceId"`
}

type jsonResultProps struct {
	jsonResult
	Properties map[string]flexString `json:"properties"`
}

type jsonError struct {
	Category flexString             `json:"category"`
	Message  flexString             `json:"message"`
	Context  map[string]flexStrings `json:"context"`
}

func parseBatchJSON(body []byte, idProperty string) (batchBody, error) {
	var out batchBody
	var errs []jsonError
	if idProperty == "" {
		var b jsonBody[jsonResult]
		if err := unmarshalLenient(body, &b); err != nil {
			return batchBody{}, err
		}
		out.status, errs = string(b.Status), b.Errors
		for _, r := range b.Results {
			out.results = append(out.results, resultRef{id: string(r.ID), trace: string(r.TraceID)})
		}
	} else {
		var b jsonBody[jsonResultProps]
		if err := unmarshalLenient(body, &b); err != nil {
			return batchBody{}, err
		}
		out.status, errs = string(b.Status), b.Errors
		for _, r := range b.Results {
			out.results = append(out.results, resultRef{id: string(r.ID), trace: string(r.TraceID), prop: string(r.Properties[idProperty])})
		}
	}
	for _, e := range errs {
		out.errors = append(out.errors, errorRef{
			category: string(e.Category),
			message:  string(e.Message),
			ids:      e.Context["ids"],
			traces:   e.Context["objectWriteTraceId"],
		})
	}
	return out, nil
}

// BenchmarkDecodeBody measures reading a body alone, without matching, with
// parseBatch (jsontext's token reader) and with encoding/json and struct
// tags.
func BenchmarkDecodeBody(b *testing.B) {
	for _, bc := range decodeBenchCases() {
		m := batchMeta{idProperty: bc.idProperty, tracePrefix: "hs-3f9a1c2b", traceStart: 4201}
		body := bc.body(bc.inputs, m)
		for _, dec := range []struct {
			name  string
			parse func([]byte, string, int) (batchBody, error)
		}{
			{"jsontext", parseBatch},
			{"encoding-json", func(body []byte, idProperty string, _ int) (batchBody, error) {
				return parseBatchJSON(body, idProperty)
			}},
		} {
			b.Run(fmt.Sprintf("%s/%s", bc.name, dec.name), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				perRecord(b, len(bc.inputs), func() {
					if got, err := dec.parse(body, bc.idProperty, len(bc.inputs)); err != nil || len(got.results) == 0 {
						b.Fatalf("parse = %d results, %v", len(got.results), err)
					}
				})
			})
		}
	}
}
