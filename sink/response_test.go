package sink

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeBatchLenient(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		ids     []string
		want    []string
		wantErr bool
	}{
		{name: "numeric ids", body: `{"results":[{"id":1002},{"id":1001}]}`, ids: []string{"1001", "1002"},
			want: []string{"applied", "applied"}},
		{name: "context ids as a single string", body: `{"results":[{"id":"1001"}],"errors":[{"category":"OBJECT_NOT_FOUND","context":{"ids":"1002"}}]}`,
			ids: []string{"1001", "1002"}, want: []string{"applied", "failed:OBJECT_NOT_FOUND"}},
		{name: "context ids as numbers", body: `{"errors":[{"category":"OBJECT_NOT_FOUND","context":{"ids":[1001]}}]}`,
			ids: []string{"1001"}, want: []string{"failed:OBJECT_NOT_FOUND"}},
		{name: "nulls everywhere", body: `{"status":null,"results":[{"id":null,"objectWriteTraceId":null,"properties":null}],"errors":null}`,
			ids: []string{"1001"}, want: []string{"unknown"}},
		{name: "results of the wrong type", body: `{"status":"COMPLETE","results":{"id":"1001"}}`,
			ids: []string{"1001"}, want: []string{"unknown"}},
		{name: "one result of the wrong type", body: `{"results":["1001",{"id":"1002"}]}`,
			ids: []string{"1001", "1002"}, want: []string{"unknown", "applied"}},
		{name: "unknown fields", body: `{"results":[{"id":"1001","warnings":[{"category":"W"}],"...":"..."}],"links":{"a":"b"},"numErrors":0}`,
			ids: []string{"1001"}, want: []string{"applied"}},
		{name: "JSON array", body: `[]`, ids: []string{"1001"}, want: []string{"unknown"}},
		{name: "JSON null", body: `null`, ids: []string{"1001"}, want: []string{"unknown"}},
		{name: "escaped strings", body: `{"results":[{"id":"\u0031001"}]}`, ids: []string{"1001"}, want: []string{"applied"}},
		{name: "empty body", body: ``, ids: []string{"1001"}, wantErr: true},
		{name: "cut short", body: `{"results":[{"id":"1001"}`, ids: []string{"1001"}, wantErr: true},
		{name: "HTML", body: `<html>OK</html>`, ids: []string{"1001"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := decodeBatch([]byte(tt.body), inputsFor(tt.ids...), batchMeta{tracePrefix: "hs-t", traceStart: 1})
			if (err != nil) != tt.wantErr {
				t.Fatalf("decodeBatch error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, outcomes(items)); !tt.wantErr && diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
		})
	}
}

// benchBody is a realistic 200 body for inputs: each result echoes the
// written properties plus system ones, in reverse order.
func benchBody(inputs []Input, prefix string, start uint64, trace bool, idProperty string) []byte {
	type result struct {
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
		CreatedAt  string            `json:"createdAt"`
		UpdatedAt  string            `json:"updatedAt"`
		Archived   bool              `json:"archived"`
		TraceID    string            `json:"objectWriteTraceId,omitempty"`
	}
	var results []result
	for i := len(inputs) - 1; i >= 0; i-- {
		in := inputs[i]
		id := in.ID
		if idProperty != "" {
			id = fmt.Sprint(90000000 + i)
		}
		props := map[string]string{"hs_object_id": id, "hs_lastmodifieddate": "2025-11-04T12:06:46.802Z", "hs_createdate": "2025-11-04T03:44:52.657Z"}
		for _, p := range in.Props {
			props[p.Name] = p.Value
		}
		if idProperty != "" {
			props[idProperty] = in.ID
		}
		r := result{ID: id, Properties: props, CreatedAt: "2025-11-04T03:44:52.657Z", UpdatedAt: "2025-11-04T12:06:46.802Z"}
		if trace {
			r.TraceID = string(appendTraceID(nil, prefix, start+uint64(i)))
		}
		results = append(results, r)
	}
	b, _ := json.Marshal(map[string]any{"status": "COMPLETE", "startedAt": "2025-11-06T05:03:12.880Z",
		"completedAt": "2025-11-06T05:03:12.978Z", "results": results})
	return b
}

// bench207Body is a realistic 207 body for inputs: failed inputs from the
// middle of the batch are missing from results and named by one
// OBJECT_NOT_FOUND error.
func bench207Body(inputs []Input, prefix string, start uint64, failed int) []byte {
	var body map[string]any
	_ = json.Unmarshal(benchBody(inputs, prefix, start, true, ""), &body)
	from := (len(inputs) - failed) / 2
	gone := map[string]bool{}
	ids := []string{}
	for _, in := range inputs[from : from+failed] {
		gone[in.ID] = true
		ids = append(ids, in.ID)
	}
	var kept []any
	for _, r := range body["results"].([]any) {
		if !gone[r.(map[string]any)["id"].(string)] {
			kept = append(kept, r)
		}
	}
	body["results"] = kept
	body["errors"] = []any{map[string]any{"status": "error", "category": "OBJECT_NOT_FOUND",
		"message": "Could not get some COMMUNICATION objects, they may be deleted or not exist. Check that ids are valid.",
		"context": map[string]any{"ids": ids}}}
	body["numErrors"] = 1
	b, _ := json.Marshal(body)
	return b
}

type decodeBenchCase struct {
	name       string
	inputs     []Input
	idProperty string
	body       func(inputs []Input, m batchMeta) []byte
}

func decodeBenchCases() []decodeBenchCase {
	inputs := benchInputs(100, 10)
	extInputs := benchInputs(100, 10)
	for i := range extInputs {
		extInputs[i].ID = fmt.Sprintf("EXT-%05d", i)
	}
	echo := func(trace bool) func([]Input, batchMeta) []byte {
		return func(in []Input, m batchMeta) []byte {
			return benchBody(in, m.tracePrefix, m.traceStart, trace, m.idProperty)
		}
	}
	return []decodeBenchCase{
		{"plain values", plainInputs(100), "", echo(true)},
		{"trace echoed", inputs, "", echo(true)},
		{"ids only", inputs, "", echo(false)},
		{"idProperty echoed", extInputs, "ext_id", echo(false)},
		{"207 ten not found", inputs, "", func(in []Input, m batchMeta) []byte {
			return bench207Body(in, m.tracePrefix, m.traceStart, 10)
		}},
	}
}

// BenchmarkDecode measures decodeBatch: reading a body and matching it.
func BenchmarkDecode(b *testing.B) {
	for _, bc := range decodeBenchCases() {
		b.Run(bc.name, func(b *testing.B) {
			m := batchMeta{idProperty: bc.idProperty, tracePrefix: "hs-3f9a1c2b", traceStart: 4201}
			body := bc.body(bc.inputs, m)
			b.SetBytes(int64(len(body)))
			perRecord(b, len(bc.inputs), func() {
				items, err := decodeBatch(body, bc.inputs, m)
				if err != nil || items[0].Outcome != Applied || items[99].Outcome != Applied {
					b.Fatalf("decodeBatch = %v, %v", items[0], err)
				}
			})
		})
	}
}
