package emulator

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// step is one batch sent in a sequence, with the answer expected.
type step struct {
	name    string
	inputs  []string
	status  int
	message string // for errors: the expected message
}

func runSteps(t *testing.T, base, objectType string, steps []step) {
	t.Helper()
	for _, st := range steps {
		r := postBatch(t, base, objectType, batchOf(st.inputs...))
		if r.status != st.status {
			t.Fatalf("%s: status %d, want %d; body %s", st.name, r.status, st.status, r.body)
		}
		if st.message != "" {
			if e := decodeErr(t, r); e.Message != st.message {
				t.Fatalf("%s: message %q, want %q", st.name, e.Message, st.message)
			}
		}
	}
}

func TestUniqueValues(t *testing.T) {
	byExt := func(v, props string) string {
		return `{"id":"` + v + `","idProperty":"external_id","properties":` + props + `}`
	}
	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{"seeded values map to their record", Config{SeedIDs: 10}, []step{
			{"EXT-7", []string{byExt("EXT-7", `{}`)}, 200, ""},
			{"EXT-10", []string{byExt("EXT-10", `{}`)}, 200, ""},
			{"beyond seed", []string{byExt("EXT-11", `{}`)}, 207, ""},
			{"not canonical", []string{byExt("EXT-07", `{}`)}, 207, ""},
			{"zero", []string{byExt("EXT-0", `{}`)}, 207, ""},
		}},
		{"custom format", Config{SeedIDs: 10, UniqueFormat: "C-%06d"}, []step{
			{"padded", []string{byExt("C-000005", `{}`)}, 200, ""},
			{"unpadded", []string{byExt("C-5", `{}`)}, 207, ""},
		}},
		{"a written value moves the index", Config{SeedIDs: 10}, []step{
			{"rename 7", []string{`{"id":"7","properties":{"external_id":"NEW-7"}}`}, 200, ""},
			{"new value", []string{byExt("NEW-7", `{}`)}, 200, ""},
			{"old seeded value", []string{byExt("EXT-7", `{}`)}, 207, ""},
			{"rename again by idProperty", []string{byExt("NEW-7", `{"external_id":"NEWER-7"}`)}, 200, ""},
			{"old written value", []string{byExt("NEW-7", `{}`)}, 207, ""},
			{"newest", []string{byExt("NEWER-7", `{}`)}, 200, ""},
			{"clear", []string{`{"id":"7","properties":{"external_id":""}}`}, 200, ""},
			{"cleared value", []string{byExt("NEWER-7", `{}`)}, 207, ""},
		}},
		{"conflicts refuse the batch", Config{SeedIDs: 10}, []step{
			{"take a written value", []string{`{"id":"7","properties":{"external_id":"NEW-7"}}`}, 200, ""},
			{"second owner", []string{`{"id":"8","properties":{"external_id":"NEW-7"}}`}, 409, "Communication already exists. Existing ID: 7"},
			{"seeded owner", []string{`{"id":"8","properties":{"external_id":"EXT-9"}}`}, 409, "Communication already exists. Existing ID: 9"},
			{"two in one batch", []string{`{"id":"1","properties":{"external_id":"SAME"}}`, `{"id":"2","properties":{"external_id":"SAME"}}`}, 409, "Communication already exists. Existing ID: 1"},
			{"own value again", []string{`{"id":"9","properties":{"external_id":"EXT-9"}}`}, 200, ""},
			{"nothing applied by refused batches", []string{byExt("SAME", `{}`)}, 207, ""},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, base := startServer(t, tc.cfg)
			runSteps(t, base, "communications", tc.steps)
		})
	}
}

func TestStoredValues(t *testing.T) {
	tests := []struct {
		name   string
		writes []string // property objects written to record 4, in order
		want   map[string]string
		echo   map[string]string // properties of the last result, system ones excluded
	}{
		{"empty string clears", []string{`{"hs_communication_body":"x","sentiment":"pos"}`, `{"hs_communication_body":""}`},
			map[string]string{"sentiment": "pos"}, map[string]string{"hs_communication_body": ""}},
		{"checkbox replace", []string{`{"topics":"BILLING;SUPPORT"}`, `{"topics":"SALES"}`},
			map[string]string{"topics": "SALES"}, map[string]string{"topics": "SALES"}},
		{"checkbox append", []string{`{"topics":"BILLING"}`, `{"topics":";SUPPORT;BILLING"}`},
			map[string]string{"topics": "BILLING;SUPPORT"}, map[string]string{"topics": "BILLING;SUPPORT"}},
		{"checkbox append to nothing", []string{`{"topics":";FEEDBACK"}`},
			map[string]string{"topics": "FEEDBACK"}, map[string]string{"topics": "FEEDBACK"}},
		{"repeated name: last wins", []string{`{"sentiment":"bad","sentiment":"neg"}`},
			map[string]string{"sentiment": "neg"}, map[string]string{"sentiment": "neg"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, base := startServer(t, Config{SeedIDs: 10})
			var last response
			for _, w := range tc.writes {
				last = postBatch(t, base, "communications", batchOf(`{"id":"4","properties":`+w+`}`))
				wantStatus(t, last, 200)
			}
			got, ok := s.Record("communications", "4")
			if !ok || !cmp.Equal(got, tc.want) {
				t.Errorf("Record = %v, %v; want %v", got, ok, tc.want)
			}
			echo := decodeOK(t, last).Results[0].Properties
			delete(echo, "hs_object_id")
			delete(echo, "hs_lastmodifieddate")
			if diff := cmp.Diff(tc.echo, echo); diff != "" {
				t.Errorf("echoed properties (-want +got):\n%s", diff)
			}
			if n := s.WriteCount("0-18", "0004"); n != len(tc.writes) {
				t.Errorf("WriteCount = %d, want %d", n, len(tc.writes))
			}
		})
	}
}

func TestInspection(t *testing.T) {
	s, base := startServer(t, Config{SeedIDs: 10})
	wantStatus(t, postBatch(t, base, "communications", batchOf(input("1", "hs_communication_body", "a"), input("2", "sentiment", "neu"))), 200)
	wantStatus(t, postBatch(t, base, "communications", batchOf(input("1", "hs_communication_body", "b"))), 200)
	wantStatus(t, postBatch(t, base, "contacts", batchOf(input("1", "firstname", "Ada"))), 200)

	want := map[string]map[string]string{"1": {"hs_communication_body": "b"}, "2": {"sentiment": "neu"}}
	if diff := cmp.Diff(want, s.Records("0-18")); diff != "" {
		t.Errorf("Records (-want +got):\n%s", diff)
	}
	tests := []struct {
		objectType, id string
		writes         int
		ok             bool
	}{
		{"communications", "1", 2, true},
		{"communication", "2", 1, true},
		{"contacts", "1", 1, true},
		{"contacts", "2", 0, false},
		{"communications", "3", 0, false},
		{"butterflies", "1", 0, false},
		{"communications", "abc", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.objectType+"/"+tc.id, func(t *testing.T) {
			if n := s.WriteCount(tc.objectType, tc.id); n != tc.writes {
				t.Errorf("WriteCount = %d, want %d", n, tc.writes)
			}
			if _, ok := s.Record(tc.objectType, tc.id); ok != tc.ok {
				t.Errorf("Record ok = %v, want %v", ok, tc.ok)
			}
		})
	}
	if s.Records("butterflies") != nil {
		t.Error("Records of an unknown type must be nil")
	}
	if got := s.UniqueValue("communications", "3"); got != "EXT-3" {
		t.Errorf("UniqueValue = %q", got)
	}
	st := s.Stats()
	if st.Requests != 3 || st.BatchRequests != 3 || st.RecordsApplied != 4 || st.ByStatus[200] != 3 || st.MaxInWindow != 3 {
		t.Errorf("Stats = %+v", st)
	}
}
