package checkpoint

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCountsAdd(t *testing.T) {
	tests := []struct {
		name string
		c, d Counts
		want Counts
	}{{
		name: "zero",
	}, {
		name: "every field",
		c:    Counts{Read: 1, Applied: 2, Unchanged: 8, DeadLettered: 3, Requests: 4, RateLimited: 5, Retries: 6, Splits: 7},
		d:    Counts{Read: 10, Applied: 20, Unchanged: 80, DeadLettered: 30, Requests: 40, RateLimited: 50, Retries: 60, Splits: 70},
		want: Counts{Read: 11, Applied: 22, Unchanged: 88, DeadLettered: 33, Requests: 44, RateLimited: 55, Retries: 66, Splits: 77},
	}, {
		name: "codes merged",
		c:    Counts{DeadLettered: 3, ByCode: map[string]int64{"INVALID_DATE": 1, "OBJECT_NOT_FOUND": 2}},
		d:    Counts{DeadLettered: 2, ByCode: map[string]int64{"OBJECT_NOT_FOUND": 1, "INVALID_EMAIL": 1}},
		want: Counts{DeadLettered: 5, ByCode: map[string]int64{"INVALID_DATE": 1, "OBJECT_NOT_FOUND": 3, "INVALID_EMAIL": 1}},
	}, {
		name: "codes of d only",
		d:    Counts{DeadLettered: 1, ByCode: map[string]int64{"MALFORMED_ROW": 1}},
		want: Counts{DeadLettered: 1, ByCode: map[string]int64{"MALFORMED_ROW": 1}},
	}, {
		name: "codes of c only",
		c:    Counts{DeadLettered: 1, ByCode: map[string]int64{"MALFORMED_ROW": 1}},
		d:    Counts{Applied: 4},
		want: Counts{Applied: 4, DeadLettered: 1, ByCode: map[string]int64{"MALFORMED_ROW": 1}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cBefore, dBefore := clone(tt.c), clone(tt.d)
			got := tt.c.Add(tt.d)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Add (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(cBefore, tt.c); diff != "" {
				t.Errorf("Add changed c (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(dBefore, tt.d); diff != "" {
				t.Errorf("Add changed d (-before +after):\n%s", diff)
			}
		})
	}
}

func clone(c Counts) Counts {
	c.ByCode = maps.Clone(c.ByCode)
	return c
}

// TestCountsJSON pins the names in the checkpoint file: checkpoints
// written by earlier versions must still load.
func TestCountsJSON(t *testing.T) {
	c := Counts{Read: 1, Applied: 2, DeadLettered: 3, Requests: 4, RateLimited: 5, Retries: 6, Splits: 7,
		ByCode: map[string]int64{"INVALID_DATE": 3}}
	const want = `{"read":1,"applied":2,"dead_lettered":3,"requests":4,"rate_limited":5,"retries":6,"split_requests":7,"dead_by_code":{"INVALID_DATE":3}}`
	got, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
	var back Counts
	if err := json.Unmarshal([]byte(want), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, back); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

// TestCountsJSONUnchanged pins the name of the --only-changed counter,
// which appears only when it counts something.
func TestCountsJSONUnchanged(t *testing.T) {
	c := Counts{Read: 3, Applied: 1, Unchanged: 2}
	const want = `{"read":3,"applied":1,"unchanged":2,"dead_lettered":0,"requests":0,"rate_limited":0,"retries":0,"split_requests":0}`
	got, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
	var back Counts
	if err := json.Unmarshal([]byte(want), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, back); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}
