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

// The encoding/json decoding of 200/207 bodies that parseBatch replaced. It
// is the oracle: parseBatch must extract exactly what it extracts, and fail
// exactly when it fails.
type oracleBody[R any] struct {
	Status  flexString    `json:"status"`
	Results []R           `json:"results"`
	Errors  []oracleError `json:"errors"`
}

type oracleResult struct {
	ID      flexString `json:"id"`
	TraceID flexString `json:"objectWriteTraceId"`
}

type oracleResultProps struct {
	oracleResult
	Properties map[string]flexString `json:"properties"`
}

type oracleError struct {
	Category flexString             `json:"category"`
	Message  flexString             `json:"message"`
	Context  map[string]flexStrings `json:"context"`
}

func parseBatchJSON(body []byte, idProperty string) (batchBody, error) {
	var out batchBody
	var errs []oracleError
	if idProperty == "" {
		var b oracleBody[oracleResult]
		if err := unmarshalLenient(body, &b); err != nil {
			return batchBody{}, err
		}
		out.status, errs = string(b.Status), b.Errors
		for _, r := range b.Results {
			out.results = append(out.results, resultRef{id: string(r.ID), trace: string(r.TraceID)})
		}
	} else {
		var b oracleBody[oracleResultProps]
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

// checkAgainstOracle fails t unless parseBatch and the oracle agree on body.
// match does not tell a nil list from an empty one, so neither does this.
func checkAgainstOracle(t *testing.T, body []byte, idProperty string) {
	t.Helper()
	want, wantErr := parseBatchJSON(body, idProperty)
	got, err := readBatch(body, idProperty, 2, true)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("exact parseBatch(%q, %q) error = %v, encoding/json error = %v", body, idProperty, err, wantErr)
	}
	opts := cmp.Options{cmp.AllowUnexported(batchBody{}, resultRef{}, errorRef{}), cmpopts.EquateEmpty()}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Fatalf("exact parseBatch(%q, %q) (-encoding/json +parseBatch):\n%s", body, idProperty, diff)
	}
	// Skimming the echoed properties may accept a body with a syntax error
	// inside them; on any body the exact reading accepts, it must agree.
	if err != nil {
		return
	}
	skimmed, err := parseBatch(body, idProperty, 2)
	if err != nil {
		t.Fatalf("parseBatch(%q, %q) = %v; the exact reading accepts it", body, idProperty, err)
	}
	if diff := cmp.Diff(got, skimmed, opts); diff != "" {
		t.Fatalf("parseBatch(%q, %q) (-exact +skimmed):\n%s", body, idProperty, diff)
	}
}

func nested(open, inner, close string, n int) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

// oracleCases are bodies chosen to probe where a hand-written reader could
// drift from encoding/json.
var oracleCases = []struct{ name, body string }{
	{"empty", ``},
	{"blank", " \t\r\n"},
	{"top-level array", `[{"status":"COMPLETE"}]`},
	{"top-level null", `null`},
	{"top-level string", `"COMPLETE"`},
	{"top-level number", ` -12.5e3 `},
	{"top-level true", `true`},
	{"bad literal", `nul`},
	{"long literal", `{"status":nulll}`},
	{"byte order mark", "\xef\xbb\xbf{}"},
	{"trailing data", `{} {}`},
	{"trailing comma in object", `{"status":"x",}`},
	{"trailing comma in array", `{"results":[{"id":"1"},]}`},
	{"leading comma", `{"results":[,{"id":"1"}]}`},
	{"missing colon", `{"status" "x"}`},
	{"non-string key", `{status:"x"}`},
	{"echo with many braces and brackets in strings", `{"results":[{"id":"1","properties":{"a":"` + strings.Repeat("[{}]", 12) + `","b":"}"},"objectWriteTraceId":"t"}]}`},
	{"result member starting with an escape", `{"results":[{"id":"1","url":"\"}","objectWriteTraceId":"t"}]}`},
	{"result members with escapes", `{"results":[{"id":"1","url":"a\\\"}\\\\","createdAt":"\\\\","archived":false,"objectWriteTraceId":"t"}]}`},
	{"echo with braces, brackets and escapes", `{"results":[{"id":"1","properties":{"a":"}\\\"{[","b":["}"],"c":{"d":"]}"},"e":"\\"}},{"id":"2","properties":{"a":"x\\\\"}}]}`},
	{"whitespace everywhere", " {\n \"results\" :\t[ { \"id\" : \"1\" , \"objectWriteTraceId\" : \"t\" } ] ,\r\"status\" : \"COMPLETE\" } \n"},
	{"numbers", `{"results":[{"id":-0.5e+10},{"id":1E5},{"id":0},{"id":-0},{"id":12.50},{"id":1e-0}]}`},
	{"bad number leading zero", `{"results":[{"id":01}]}`},
	{"bad number minus", `{"results":[{"id":-}]}`},
	{"bad number point", `{"results":[{"id":1.}]}`},
	{"bad number exponent", `{"results":[{"id":1e+}]}`},
	{"bad number fraction first", `{"results":[{"id":.5}]}`},
	{"bad number plus", `{"results":[{"id":+1}]}`},
	{"bad number point exponent", `{"results":[{"id":1.e5}]}`},
	{"scalars as ids", `{"results":[{"id":true},{"id":false},{"id":null},{"id":{"a":1}},{"id":[1,"2"]}]}`},
	{"keys folded", `{"STATUS":"done","Results":[{"ID":"1","OBJECTWRITETRACEID":"x","Properties":{"ext_id":"A"}}],"ERRORS":[{"CATEGORY":"C","Message":"m","CONTEXT":{"ids":["1"]}}]}`},
	{"keys folded by Unicode", "{\"\u017ftatus\":\"long s\",\"re\u017fults\":[{\"id\":\"1\"}],\"error\u017f\":[{\"me\u017f\u017fage\":\"m\"}]}"},
	{"keys not folded by Unicode", "{\"results\":[{\"\u0131d\":\"dotless\"},{\"\u0130d\":\"dotted\"}]}"},
	{"keys escaped", `{"st\u0061tus":"x","\u0072esults":[{"\u0069d":"1","objectWriteTrace\u0049d":"t"}],"errors":[{"c\u0061tegory":"C","context":{"\u0069ds":["2"],"objectWriteTrace\u0049d":"t2"}}]}`},
	{"keys escaped to Unicode fold", `{"\u017ftatus":"x"}`},
	{"keys with invalid UTF-8", "{\"status\xff\":\"x\",\"results\":[{\"id\":\"1\",\"properties\":{\"ext_id\xff\":\"B\"}}]}"},
	{"map keys are exact", `{"results":[{"id":"1","properties":{"EXT_ID":"A","ext_id ":"B"}}],"errors":[{"context":{"IDS":["1"],"objectwritetraceid":["t"]}}]}`},
	{"map keys escaped", `{"results":[{"id":"1","properties":{"ext\u005fid":"A"}}],"errors":[{"context":{"i\u0064s":["1"]}}]}`},
	{"escapes", `{"status":"\"\\\/\b\f\n\r\t","results":[{"id":"\u0031\u0030\u0030\u0031"},{"id":"a\u0000b"},{"id":"\u00e9\u20AC"}]}`},
	{"surrogates", `{"results":[{"id":"\ud83d\ude00"},{"id":"\ud83d"},{"id":"\ud83dx"},{"id":"\ud83d\u0041"},{"id":"\ude00\ud83d"},{"id":"\ud83d\ud83d\ude00"},{"id":"\uDBFF\uDFFF"}]}`},
	{"invalid UTF-8 raw", "{\"results\":[{\"id\":\"\xff1\"},{\"id\":\"\xe2\x82\"},{\"id\":\"\xed\xa0\x80\"}]}"},
	{"invalid UTF-8 with escape", "{\"results\":[{\"id\":\"\xff1\\n\"},{\"id\":\"\\t\xe2\x82\"}]}"},
	{"valid UTF-8 raw", "{\"results\":[{\"id\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}]}"},
	{"control character", "{\"status\":\"a\tb\"}"},
	{"DEL is allowed", "{\"status\":\"a\x7fb\"}"},
	{"bad escape", `{"status":"\x"}`},
	{"short unicode escape", `{"status":"\u12"}`},
	{"bad unicode escape", `{"status":"\u12G4"}`},
	{"escape at end", `{"status":"\`},
	{"unterminated", `{"status":"COMPLETE`},
	{"long strings", `{"status":"` + strings.Repeat("abcdefgh", 9) + `\"` + strings.Repeat("é", 7) + `","results":[{"id":"` + strings.Repeat("7", 33) + `"}]}`},
	{"duplicate scalars", `{"status":"A","status":"B","results":[{"id":"1","id":"2","objectWriteTraceId":"t","objectWriteTraceId":null}]}`},
	{"duplicate results reuse elements", `{"results":[{"id":"1","objectWriteTraceId":"t1"},{"id":"2","objectWriteTraceId":"t2"},{"id":"3"}],"results":[{"id":"4"}],"results":[{},null,"x"]}`},
	{"duplicate results after empty", `{"results":[{"id":"1","objectWriteTraceId":"t"}],"results":[],"results":[{}]}`},
	{"duplicate results after null", `{"results":[{"id":"1","objectWriteTraceId":"t"}],"results":null,"results":[{}]}`},
	{"duplicate results of wrong type", `{"results":[{"id":"1"}],"results":5,"results":{"id":"2"},"results":"x","results":true}`},
	{"results of the wrong type", `{"status":"COMPLETE","results":{"id":"1001"},"errors":"none"}`},
	{"elements of the wrong type", `{"results":["1001",{"id":"1002"},7,[{"id":"1003"}],true,null],"errors":[1,"x",{"category":"C"},[]]}`},
	{"properties", `{"results":[{"id":"1","properties":{"ext_id":"A","other":{"ext_id":"X"}}},{"id":"2","properties":{"ext_id":7}},{"id":"3","properties":{"ext_id":null}},{"id":"4","properties":["ext_id"]}]}`},
	{"properties merged", `{"results":[{"properties":{"ext_id":"A"},"properties":{"other":"x"}},{"properties":{"ext_id":"A"},"properties":{"ext_id":"B"}},{"properties":{"ext_id":"A"},"properties":null},{"properties":{"ext_id":"A"},"properties":"x"}]}`},
	{"properties over duplicate results", `{"results":[{"properties":{"ext_id":"A"}},{"properties":{"ext_id":"B"}}],"results":[{"id":"1"}],"results":[{"properties":{}},{}]}`},
	{"context lists", `{"errors":[{"category":"C","context":{"ids":["1",2,null,{},[],true,"\u0033"],"objectWriteTraceId":"t"}},{"context":{"ids":null}},{"context":{"ids":{}}},{"context":{"ids":[]}},{"context":{"ids":false}},{"context":{"ids":-1.5}}]}`},
	{"context merged", `{"errors":[{"context":{"ids":["1"]},"context":{"objectWriteTraceId":["t"]}},{"context":{"ids":["1"]},"context":null},{"context":{"ids":["1"]},"context":[1]},{"context":{"ids":["1"],"ids":null}}]}`},
	{"duplicate errors reuse elements", `{"errors":[{"category":"A","message":"m","context":{"ids":["1"]}},{"category":"B"}],"errors":[{"message":"n"}],"errors":[{},{}]}`},
	{"categories of other types", `{"errors":[{"category":404,"message":{"text":"m"},"context":"ids"},{"category":null,"message":["m"]}]}`},
	{"ignored members", `{"links":{"a":"b"},"numErrors":1,"requestedAt":"x","results":[{"id":"1","warnings":[{"category":"W","context":{"ids":["9"]}}],"url":"u","archived":false,"createdAt":null}]}`},
	{"deep but valid", `{"results":[{"id":"1","x":` + nested("[", "0", "]", maxDepth-3) + `}]}`},
	{"too deep", `{"results":[{"id":"1","x":` + nested("[", "0", "]", maxDepth-2) + `}]}`},
	{"deep objects", nested(`{"a":`, "1", "}", maxDepth)},
	{"too deep objects", nested(`{"a":`, "1", "}", maxDepth+1)},
	{"too deep properties", `{"results":[{"id":"1","properties":{"ext_id":` + nested("[", "", "]", maxDepth-3) + `}}]}`},
	{"too deep context", `{"errors":[{"context":{"ids":` + nested("[", "", "]", maxDepth-3) + `}}]}`},
	{"deep context", `{"errors":[{"context":{"ids":` + nested("[", "", "]", maxDepth-4) + `}}]}`},
}

func TestParseBatchAgreesWithEncodingJSON(t *testing.T) {
	for _, tt := range oracleCases {
		t.Run(tt.name, func(t *testing.T) {
			for _, idProperty := range []string{"", "ext_id", "hs_object_id"} {
				checkAgainstOracle(t, []byte(tt.body), idProperty)
			}
		})
	}
	t.Run("fixtures", func(t *testing.T) {
		for _, body := range fixtureSeeds(t) {
			for _, idProperty := range []string{"", "ext_id", "hs_object_id"} {
				checkAgainstOracle(t, body, idProperty)
			}
		}
	})
}

func TestParseBatchSyntaxError(t *testing.T) {
	_, err := parseBatch([]byte(`{"results":[{"id":"1"}`), "", 1)
	if err == nil || !strings.Contains(err.Error(), "byte 22") {
		t.Errorf("parseBatch error = %v, want one at byte 22", err)
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

// FuzzDecodeResponse holds parseBatch to the encoding/json decoding it
// replaced: on any bytes both must fail, or both extract the same values.
func FuzzDecodeResponse(f *testing.F) {
	for _, body := range fixtureSeeds(f) {
		for _, idProperty := range []string{"", "ext_id", "hs_object_id"} {
			f.Add(body, idProperty)
		}
	}
	for _, tt := range oracleCases {
		if len(tt.body) < 1000 {
			f.Add([]byte(tt.body), "ext_id")
		}
	}
	inputs := inputsFor("1001", "1002", "1003")
	f.Add(benchBody(inputs, "hs-t", 1, true, ""), "")
	f.Add(benchBody(inputs, "hs-t", 1, false, "ext_id"), "ext_id")
	f.Add(bench207Body(inputs, "hs-t", 1, 1), "")
	f.Fuzz(func(t *testing.T, body []byte, idProperty string) {
		checkAgainstOracle(t, body, idProperty)
	})
}

// BenchmarkDecodeBody measures reading a body alone, without matching, with
// parseBatch and with the encoding/json decoding it replaced.
func BenchmarkDecodeBody(b *testing.B) {
	for _, bc := range decodeBenchCases() {
		m := batchMeta{idProperty: bc.idProperty, tracePrefix: "hs-3f9a1c2b", traceStart: 4201}
		body := bc.body(bc.inputs, m)
		for _, dec := range []struct {
			name  string
			parse func([]byte, string, int) (batchBody, error)
		}{
			{"scan", parseBatch},
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

func TestSkimEcho(t *testing.T) {
	const pre, post = `{"status":"COMPLETE","results":[{"id":"7","properties":`, `,"archived":false}]}`
	tests := []struct {
		name, echo string
		wantErr    bool
	}{
		{"flat", `{"a":"1","b":null,"c":"x y"}`, false},
		{"empty", `{}`, false},
		{"brace inside a string", `{"a":"}","b":"{}"}`, false},
		{"escaped quote", `{"a":"say \"}\" twice"}`, false},
		{"nested object", `{"a":{"b":"}"}}`, false},
		{"nested array", `{"a":["}"]}`, false},
		{"cut short", `{"a":"1"`, true},
		{"cut short in a string", `{"a":"}`, true},
		{"escape before a brace", `{"a":"\\"}`, false},
		{"bad inside a nested array", `{"a":[1,]}`, true},
		{"bad escape before a brace", `{"a":"\}`, true},
		// Not read: nothing depends on the echo's grammar.
		{"missing colon, skimmed", `{"a" "1"}`, false},
		{"bad escape, skimmed", `{"a":"\x"}`, false},
	}
	// The string members of a result that hubsync does not read are
	// skimmed too; one cut short is still an error.
	for body, wantErr := range map[string]bool{
		`{"results":[{"id":"7","url":"bad \x escape","createdAt":"tab` + "\t" + `here"}]}`: false,
		`{"results":[{"id":"7","url":"ends in \\"}]}`:                                      false,
		`{"results":[{"id":"7","url":"cut \"short`:                                         true,
		`{"results":[{"id":"7","url":"cut short\`:                                          true,
	} {
		if _, err := parseBatch([]byte(body), "", 1); (err != nil) != wantErr {
			t.Errorf("parseBatch(%s) error = %v, want error %v", body, err, wantErr)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := pre + tt.echo + post
			if strings.HasPrefix(tt.name, "cut short") {
				body = pre + tt.echo
			}
			got, err := parseBatch([]byte(body), "", 1)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseBatch(%s) error = %v, want error %v", body, err, tt.wantErr)
			}
			if err == nil && (len(got.results) != 1 || got.results[0].id != "7" || got.status != "COMPLETE") {
				t.Errorf("parseBatch(%s) = %+v, want one result with id 7", body, got)
			}
		})
	}
}
