package sink

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatch(t *testing.T) {
	nf := func(ids ...string) errorRef {
		return errorRef{category: "OBJECT_NOT_FOUND", message: "not found", ids: ids}
	}
	tests := []struct {
		name       string
		ids        []string
		idProperty string
		status     string
		results    []resultRef
		errs       []errorRef
		want       []string
	}{
		{name: "trace ids alone, shuffled, no usable ids", ids: []string{"1", "2", "3"},
			results: []resultRef{{trace: "hs-t-000012"}, {trace: "hs-t-000010"}, {trace: "hs-t-000011"}},
			want:    []string{"applied", "applied", "applied"}},
		{name: "trace id wins over a misleading id", ids: []string{"1", "2"},
			results: []resultRef{{id: "2", trace: "hs-t-000010"}, {id: "", trace: "hs-t-000011"}},
			want:    []string{"applied", "applied"}},
		{name: "foreign trace id falls back to id", ids: []string{"1", "2"},
			results: []resultRef{{id: "2", trace: "other-000001"}, {id: "1"}},
			want:    []string{"applied", "applied"}},
		{name: "canonical numeric ids", ids: []string{"007", " 8 ", "0"},
			results: []resultRef{{id: "8"}, {id: "00"}, {id: "7"}},
			want:    []string{"applied", "applied", "applied"}},
		{name: "counting: unmatched results equal unaccounted inputs", ids: []string{"a", "b"}, idProperty: "ext_id",
			results: []resultRef{{id: "901"}, {id: "902"}},
			want:    []string{"applied", "applied"}},
		{name: "no counting by record id: results name ids never sent", ids: []string{"1", "2", "3"},
			results: []resultRef{{id: "901"}, {id: "902"}, {id: "903"}},
			want:    []string{"unknown", "unknown", "unknown"}},
		{name: "no counting by record id: one result names an id never sent", ids: []string{"1", "2"},
			results: []resultRef{{id: "1"}, {id: "902"}},
			want:    []string{"applied", "unknown"}},
		{name: "no counting by record id: a foreign trace id and an id never sent", ids: []string{"1"},
			results: []resultRef{{id: "7", trace: "other-000001"}},
			want:    []string{"unknown"}},
		{name: "counting refused: result ids not distinct", ids: []string{"a", "b"},
			results: []resultRef{{id: "901"}, {id: "901"}},
			want:    []string{"unknown", "unknown"}},
		{name: "counting refused: result without id", ids: []string{"a", "b"},
			results: []resultRef{{id: "901"}, {}},
			want:    []string{"unknown", "unknown"}},
		{name: "counting refused: duplicate input ids", ids: []string{"5", "05"},
			results: []resultRef{{id: "5"}, {id: "5"}},
			want:    []string{"unknown", "unknown"}},
		{name: "more results than inputs left", ids: []string{"1", "2"},
			results: []resultRef{{id: "1"}, {id: "8"}, {id: "9"}},
			want:    []string{"applied", "unknown"}},
		{name: "error by numeric id with leading zero", ids: []string{"1", "02"},
			results: []resultRef{{id: "1"}}, errs: []errorRef{nf("2")},
			want: []string{"applied", "failed:OBJECT_NOT_FOUND"}},
		{name: "empty ids equal unaccounted inputs", ids: []string{"x", "1", "y"},
			results: []resultRef{{id: "1"}}, errs: []errorRef{nf("", "")},
			want: []string{"failed:OBJECT_NOT_FOUND", "applied", "failed:OBJECT_NOT_FOUND"}},
		{name: "empty ids and unmatched results both left", ids: []string{"x", "y"},
			results: []resultRef{{id: "77"}}, errs: []errorRef{nf("")},
			want: []string{"unknown", "unknown"}},
		{name: "empty ids with disagreeing reasons", ids: []string{"x", "y"},
			errs: []errorRef{nf(""), {category: "VALIDATION_ERROR", message: "bad", ids: []string{""}}},
			want: []string{"failed:OBJECT_NOT_FOUND|VALIDATION_ERROR", "failed:OBJECT_NOT_FOUND|VALIDATION_ERROR"}},
		{name: "error naming an id we did not send", ids: []string{"a", "b"},
			results: []resultRef{{id: "901"}, {id: "902"}}, errs: []errorRef{nf("999")},
			want: []string{"unknown", "unknown"}},
		{name: "error naming no input at all", ids: []string{"a", "b"},
			results: []resultRef{{id: "901"}, {id: "902"}}, errs: []errorRef{{category: "X"}},
			want: []string{"unknown", "unknown"}},
		{name: "error by trace id", ids: []string{"1", "2"},
			results: []resultRef{{id: "1"}}, errs: []errorRef{{category: "OBJECT_NOT_FOUND", traces: []string{"hs-t-000011"}}},
			want: []string{"applied", "failed:OBJECT_NOT_FOUND"}},
		{name: "confirmed and rejected at once", ids: []string{"1", "2"},
			results: []resultRef{{id: "1"}, {id: "2"}}, errs: []errorRef{nf("2")},
			want: []string{"applied", "unknown"}},
		{name: "error without category", ids: []string{"1"}, errs: []errorRef{{ids: []string{"1"}}},
			want: []string{"failed:UNSPECIFIED_ERROR"}},
		{name: "idProperty: match by echoed property, case-folded", ids: []string{"Ext-1", "EXT-2"}, idProperty: "ext_id",
			results: []resultRef{{id: "5002", prop: "ext-2"}, {id: "5001", prop: "EXT-1"}},
			want:    []string{"applied", "applied"}},
		{name: "idProperty: result id is never compared to sent values", ids: []string{"5001", "5002"}, idProperty: "ext_id",
			results: []resultRef{{id: "5002"}},
			want:    []string{"unknown", "unknown"}},
		{name: "idProperty: errors compare to sent values", ids: []string{"EXT-1", "EXT-2"}, idProperty: "ext_id",
			results: []resultRef{{id: "5001", prop: "EXT-1"}}, errs: []errorRef{nf("ext-2")},
			want: []string{"applied", "failed:OBJECT_NOT_FOUND"}},
		{name: "idProperty: values equal but for leading zeros match neither", ids: []string{"0123", "123"}, idProperty: "ext_id",
			results: []resultRef{{id: "5001", prop: "0123"}, {id: "5002", prop: "123"}},
			want:    []string{"unknown", "unknown"}},
		{name: "status CANCELED keeps nothing applied", ids: []string{"1", "2"}, status: "CANCELED",
			results: []resultRef{{id: "1"}}, errs: []errorRef{nf("2")},
			want: []string{"unknown", "failed:OBJECT_NOT_FOUND"}},
		{name: "status in lower case", ids: []string{"1"}, status: "complete",
			results: []resultRef{{id: "1"}}, want: []string{"applied"}},
		{name: "nothing in the response", ids: []string{"1", "2"}, want: []string{"unknown", "unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := batchMeta{idProperty: tt.idProperty, tracePrefix: "hs-t", traceStart: 10}
			items := match(inputsFor(tt.ids...), m, tt.status, tt.results, tt.errs)
			if diff := cmp.Diff(tt.want, outcomes(items)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			for i, it := range items {
				if it.Outcome == Unknown && it.Message == "" {
					t.Errorf("item %d is Unknown without a reason", i)
				}
			}
		})
	}
}

func TestRequireComplete(t *testing.T) {
	tests := []struct {
		status string
		want   []string
	}{
		{"", []string{"applied", "failed:X", "unknown"}},
		{"COMPLETE", []string{"applied", "failed:X", "unknown"}},
		{"complete", []string{"applied", "failed:X", "unknown"}},
		{"PENDING", []string{"unknown", "failed:X", "unknown"}},
		{"CANCELED", []string{"unknown", "failed:X", "unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			items := []ItemResult{{Outcome: Applied}, {Outcome: Failed, Code: "X"}, {Message: "why"}}
			requireComplete(items, tt.status)
			if diff := cmp.Diff(tt.want, outcomes(items)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if tt.want[0] == "unknown" && items[0].Message != "batch status is "+tt.status+", not COMPLETE" {
				t.Errorf("message = %q", items[0].Message)
			}
		})
	}
}
