package emulator

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBatchSuccess(t *testing.T) {
	clock := newTestClock()
	s, base := startServer(t, Config{SeedIDs: 10, ResultOrder: InputOrder, Now: clock.Now})
	r := postBatch(t, base, "communications", batchOf(
		`{"id":"3","objectWriteTraceId":"job-1","properties":{"hs_communication_body":"Follow-up sent","hs_communication_channel_type":"SMS"}}`,
		`{"id":"EXT-5","idProperty":"external_id","properties":{"hs_timestamp":"2024-05-01T10:00:00Z"}}`))
	wantStatus(t, r, 200)
	checkGolden(t, "batch-200", r.body)
	if ct := r.header.Get("Content-Type"); ct != "application/json;charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if r.header.Get("X-HubSpot-Correlation-Id") == "" {
		t.Error("no X-HubSpot-Correlation-Id")
	}
	b := decodeOK(t, r)
	if b.Status != "COMPLETE" || len(b.Results) != 2 || b.NumErrors != 0 || b.Errors != nil {
		t.Fatalf("body %s", r.body)
	}
	if got := b.Results[1].ID; got != "5" {
		t.Errorf("idProperty result id = %q, want the internal id 5", got)
	}
	want := map[string]string{"hs_communication_body": "Follow-up sent", "hs_communication_channel_type": "SMS"}
	if got, _ := s.Record("0-18", "3"); !cmp.Equal(got, want) {
		t.Errorf("Record = %v, want %v", got, want)
	}
}

func TestTraceEcho(t *testing.T) {
	for _, noEcho := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoTraceEcho=%v", noEcho), func(t *testing.T) {
			_, base := startServer(t, Config{SeedIDs: 10, NoTraceEcho: noEcho})
			r := postBatch(t, base, "communications", batchOf(`{"id":"1","objectWriteTraceId":"t-1","properties":{}}`))
			wantStatus(t, r, 200)
			got := decodeOK(t, r).Results[0].ObjectWriteTraceID
			if noEcho != (got == nil) || (got != nil && *got != "t-1") {
				t.Errorf("objectWriteTraceId = %v", got)
			}
		})
	}
}

func TestObjectType(t *testing.T) {
	tests := []struct {
		key    string
		status int
	}{
		{"communications", 200}, {"0-18", 200}, {"communication", 200},
		{"contacts", 200}, {"0-1", 200},
		{"widgets", 200}, {"2-1000001", 200}, {"p12345678_widgets", 200},
		{"butterflies", 400}, {"0-99", 400}, {"Communications", 400}, {"2-1", 400},
	}
	_, base := startServer(t, Config{SeedIDs: 10})
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			r := postBatch(t, base, tc.key, batchOf(`{"id":"1","properties":{}}`))
			wantStatus(t, r, tc.status)
			if tc.status != 400 {
				return
			}
			e := decodeErr(t, r)
			if e.Message != "Unable to infer object type from: "+tc.key || e.Category != nil {
				t.Errorf("body %s", r.body)
			}
		})
	}
}

// Ids that do not exist: 207, the others applied, one OBJECT_NOT_FOUND entry.
func TestNotFound(t *testing.T) {
	tests := []struct {
		name, objectType string
		inputs           []string
		applied          []string
		ids              []string
		singular         string
	}{
		{"numeric beyond seed", "communications", []string{`{"id":"1","properties":{}}`, `{"id":"999","properties":{}}`}, []string{"1"}, []string{"999"}, "COMMUNICATION"},
		{"leading zeros", "communications", []string{`{"id":"0999","properties":{}}`}, nil, []string{"999"}, "COMMUNICATION"},
		{"zero", "communications", []string{`{"id":"0","properties":{}}`}, nil, []string{"0"}, "COMMUNICATION"},
		{"non-numeric (observed)", "contacts", []string{`{"id":"abc","properties":{}}`, `{"id":"2","properties":{}}`}, []string{"2"}, []string{""}, "CONTACT"},
		{"negative", "communications", []string{`{"id":"-1","properties":{}}`}, nil, []string{""}, "COMMUNICATION"},
		{"empty id", "communications", []string{`{"id":"","properties":{}}`}, nil, []string{""}, "COMMUNICATION"},
		{"idProperty value unknown", "widgets", []string{`{"id":"NOPE","idProperty":"external_id","properties":{}}`}, nil, []string{"NOPE"}, "WIDGET"},
		{"several", "communications", []string{`{"id":"11","properties":{}}`, `{"id":"3","properties":{}}`, `{"id":"x","properties":{}}`, `{"id":"12","properties":{}}`}, []string{"3"}, []string{"11", "", "12"}, "COMMUNICATION"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, base := startServer(t, Config{SeedIDs: 10})
			r := postBatch(t, base, tc.objectType, batchOf(tc.inputs...))
			wantStatus(t, r, 207)
			b := decodeOK(t, r)
			var got []string
			for _, res := range b.Results {
				got = append(got, res.ID)
			}
			if diff := cmp.Diff(tc.applied, got); diff != "" {
				t.Errorf("applied (-want +got):\n%s", diff)
			}
			if b.Results == nil {
				t.Error("results must be [] not absent")
			}
			if b.NumErrors != 1 || len(b.Errors) != 1 {
				t.Fatalf("numErrors %d, errors %+v", b.NumErrors, b.Errors)
			}
			e := b.Errors[0]
			wantMsg := "Could not get some " + tc.singular + " objects, they may be deleted or not exist. Check that ids are valid."
			if e.Status != "error" || e.Category != "OBJECT_NOT_FOUND" || e.Message != wantMsg {
				t.Errorf("error entry %+v", e)
			}
			if diff := cmp.Diff(map[string][]string{"ids": tc.ids}, e.Context); diff != "" {
				t.Errorf("context (-want +got):\n%s", diff)
			}
			if got := s.Stats().RecordsApplied; got != len(tc.applied) {
				t.Errorf("RecordsApplied = %d", got)
			}
		})
	}
}

func TestNotFoundGolden(t *testing.T) {
	_, base := startServer(t, Config{SeedIDs: 10, Now: newTestClock().Now, ResultOrder: InputOrder})
	r := postBatch(t, base, "contacts", batchOf(`{"id":"2","properties":{"firstname":"Markus"}}`, `{"id":"abc","properties":{"lastname":"Dyer"}}`))
	wantStatus(t, r, 207)
	checkGolden(t, "batch-207", r.body)
}

// Two inputs addressing one record refuse the batch (docs/hubspot-api.md §7).
func TestDuplicateIDs(t *testing.T) {
	tests := []struct {
		name   string
		inputs []string
		ids    []string
	}{
		{"same id (observed)", []string{`{"id":"123456","properties":{}}`, `{"id":"123456","properties":{}}`}, []string{"123456"}},
		{"leading zero", []string{`{"id":"0123","properties":{}}`, `{"id":"123","properties":{}}`}, []string{"123"}},
		{"same idProperty value", []string{`{"id":"EXT-5","idProperty":"external_id","properties":{}}`, `{"id":"EXT-5","idProperty":"external_id","properties":{}}`}, []string{"5"}},
		{"id and idProperty reach one record", []string{`{"id":"5","properties":{}}`, `{"id":"EXT-5","idProperty":"external_id","properties":{}}`}, []string{"5"}},
		{"same unknown idProperty value", []string{`{"id":"NOPE","idProperty":"external_id","properties":{}}`, `{"id":"NOPE","idProperty":"external_id","properties":{}}`}, []string{"NOPE"}},
		{"same non-numeric id", []string{`{"id":"abc","properties":{}}`, `{"id":"abc","properties":{}}`}, []string{"abc"}},
		{"several", []string{`{"id":"1","properties":{}}`, `{"id":"2","properties":{}}`, `{"id":"1","properties":{}}`, `{"id":"2","properties":{}}`, `{"id":"1","properties":{}}`}, []string{"1", "2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, base := startServer(t, Config{SeedIDs: 200000})
			r := postBatch(t, base, "communications", batchOf(tc.inputs...))
			wantStatus(t, r, 400)
			e := decodeErr(t, r)
			want := "Duplicate IDs found in batch input: [" + strings.Join(tc.ids, ", ") + "]. IDs must be unique"
			if e.Message != want || category(e) != "VALIDATION_ERROR" || !cmp.Equal(e.Context, map[string][]string{"ids": tc.ids}) {
				t.Errorf("body %s", r.body)
			}
			if s.Stats().RecordsApplied != 0 {
				t.Error("a refused batch applied records")
			}
		})
	}
	t.Run("distinct non-numeric ids are not duplicates", func(t *testing.T) {
		_, base := startServer(t, Config{SeedIDs: 10})
		r := postBatch(t, base, "communications", batchOf(`{"id":"abc","properties":{}}`, `{"id":"xyz","properties":{}}`))
		wantStatus(t, r, 207)
	})
}

func TestInputCount(t *testing.T) {
	many := func(n int) string {
		in := make([]string, n)
		for i := range in {
			in[i] = fmt.Sprintf(`{"id":"%d","properties":{}}`, i+1)
		}
		return batchOf(in...)
	}
	tests := []struct {
		name    string
		n       int
		status  int
		message string
	}{
		{"none", 0, 400, "The minimum number of inputs supported in a batch is 1. Please add items and try again"},
		{"one", 1, 200, ""},
		{"cap", 100, 200, ""},
		{"over cap", 101, 400, "The maximum number of inputs supported in a batch is 100. Please reduce the number of items and try again"},
	}
	_, base := startServer(t, Config{SeedIDs: 200})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := postBatch(t, base, "communications", many(tc.n))
			wantStatus(t, r, tc.status)
			if tc.status != 400 {
				return
			}
			if e := decodeErr(t, r); e.Message != tc.message || category(e) != "VALIDATION_ERROR" {
				t.Errorf("body %s", r.body)
			}
		})
	}
}

func TestIDPropertyNotUnique(t *testing.T) {
	tests := []struct{ objectType, idProperty, want string }{
		{"contacts", "email", "Unable to perform update/upsert by non-unique 0-1 property email"},
		{"communications", "hs_object_id", "Unable to perform update/upsert by non-unique 0-18 property hs_object_id"},
		{"0-18", "nope", "Unable to perform update/upsert by non-unique 0-18 property nope"},
		{"widgets", "", "Unable to perform update/upsert by non-unique 2-1000001 property "},
	}
	_, base := startServer(t, Config{SeedIDs: 10})
	for _, tc := range tests {
		t.Run(tc.objectType+"/"+tc.idProperty, func(t *testing.T) {
			r := postBatch(t, base, tc.objectType, batchOf(`{"id":"a@example.com","idProperty":"`+tc.idProperty+`","properties":{}}`))
			wantStatus(t, r, 400)
			if e := decodeErr(t, r); e.Message != tc.want || category(e) != "VALIDATION_ERROR" {
				t.Errorf("body %s", r.body)
			}
		})
	}
}

func TestResultOrder(t *testing.T) {
	inputs := make([]string, 20)
	var inOrder []string
	for i := range inputs {
		inputs[i] = fmt.Sprintf(`{"id":"%d","properties":{}}`, i+1)
		inOrder = append(inOrder, itoa(i+1))
	}
	ids := func(t *testing.T, cfg Config) []string {
		cfg.SeedIDs = 20
		_, base := startServer(t, cfg)
		r := postBatch(t, base, "communications", batchOf(inputs...))
		wantStatus(t, r, 200)
		var out []string
		for _, res := range decodeOK(t, r).Results {
			out = append(out, res.ID)
		}
		return out
	}
	t.Run("input", func(t *testing.T) {
		if got := ids(t, Config{ResultOrder: InputOrder}); !cmp.Equal(got, inOrder) {
			t.Errorf("got %v", got)
		}
	})
	t.Run("reverse", func(t *testing.T) {
		got := ids(t, Config{ResultOrder: Reverse})
		if got[0] != "20" || got[19] != "1" {
			t.Errorf("got %v", got)
		}
	})
	t.Run("shuffle is seeded and not input order", func(t *testing.T) {
		a, b := ids(t, Config{Seed: 7}), ids(t, Config{Seed: 7})
		if !cmp.Equal(a, b) {
			t.Errorf("same seed, different orders: %v vs %v", a, b)
		}
		if cmp.Equal(a, inOrder) {
			t.Error("shuffle returned input order")
		}
	})
}

func TestLastWins(t *testing.T) {
	pv := func(pairs ...string) []propValue {
		out := []propValue{}
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, propValue{pairs[i], pairs[i+1]})
		}
		return out
	}
	var big, bigWant []string
	for i := 0; i < 20; i++ {
		big = append(big, fmt.Sprintf("p%d", i%18), itoa(i))
	}
	for i := 2; i < 20; i++ {
		bigWant = append(bigWant, fmt.Sprintf("p%d", i%18), itoa(i))
	}
	tests := []struct {
		name     string
		in, want []propValue
	}{
		{"none", pv(), pv()},
		{"distinct", pv("a", "1", "b", "2"), pv("a", "1", "b", "2")},
		{"repeated", pv("a", "1", "b", "2", "a", "3"), pv("b", "2", "a", "3")},
		{"large with repeats", pv(big...), pv(bigWant...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, lastWins(tc.in), cmp.AllowUnexported(propValue{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
