package sink

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLeftoverVerdict(t *testing.T) {
	notFound := errorRef{category: "OBJECT_NOT_FOUND", message: "not found", ids: []string{""}}
	invalid := errorRef{category: "VALIDATION_ERROR", message: "bad", ids: []string{""}}
	unknown := func(why string) ItemResult { return ItemResult{Message: why} }
	tests := []struct {
		name       string
		results    []string // ids of results that named no input
		blankErrs  []errorRef
		stray      bool
		n          int
		byProperty bool
		dupIDs     bool
		want       ItemResult
	}{
		{name: "idProperty: results pair up with inputs", results: []string{"901", "902"}, n: 2, byProperty: true,
			want: ItemResult{Outcome: Applied}},
		{name: "idProperty: fewer results than inputs", results: []string{"901"}, n: 2, byProperty: true,
			want: unknown("response cannot be matched to inputs (unmatched results or errors with empty ids)")},
		{name: "idProperty: results not distinct", results: []string{"901", "0901"}, n: 2, byProperty: true,
			want: unknown("response cannot be matched to inputs (unmatched results or errors with empty ids)")},
		{name: "idProperty: result without id", results: []string{"901", " "}, n: 2, byProperty: true,
			want: unknown("response cannot be matched to inputs (unmatched results or errors with empty ids)")},
		{name: "record ids: results naming ids never sent", results: []string{"901", "902"}, n: 2,
			want: unknown("response confirms record ids that were not sent in this batch")},
		{name: "blank ids as many as inputs", blankErrs: []errorRef{notFound, notFound}, n: 2,
			want: ItemResult{Outcome: Failed, Code: "OBJECT_NOT_FOUND", Message: "not found"}},
		{name: "blank ids disagreeing", blankErrs: []errorRef{notFound, invalid}, n: 2,
			want: ItemResult{Outcome: Failed, Code: "OBJECT_NOT_FOUND|VALIDATION_ERROR", Message: "one of: not found | bad"}},
		{name: "blank ids fewer than inputs", blankErrs: []errorRef{notFound}, n: 2,
			want: unknown("response cannot be matched to inputs (unmatched results or errors with empty ids)")},
		{name: "blank ids and results both left", results: []string{"77"}, blankErrs: []errorRef{notFound}, n: 2, byProperty: true,
			want: unknown("response cannot be matched to inputs (unmatched results or errors with empty ids)")},
		{name: "nothing left", n: 1,
			want: unknown("input is in neither results nor errors of the response")},
		{name: "stray error first", results: []string{"901"}, stray: true, n: 1, byProperty: true,
			want: unknown("response has an error naming no input of this batch")},
		{name: "inputs sharing an id", results: []string{"901", "902"}, n: 2, byProperty: true, dupIDs: true,
			want: unknown("batch has inputs with the same id")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l leftover
			for _, id := range tt.results {
				l.addResult(id)
			}
			for _, e := range tt.blankErrs {
				l.addError(e, len(e.ids), false)
			}
			if tt.stray {
				l.addError(errorRef{category: "X"}, 0, true)
			}
			if diff := cmp.Diff(tt.want, l.verdict(tt.n, tt.byProperty, tt.dupIDs)); diff != "" {
				t.Errorf("verdict (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLeftoverAddError(t *testing.T) {
	var l leftover
	l.addError(errorRef{category: "A", ids: []string{"", ""}}, 2, false)
	l.addError(errorRef{category: "B", ids: []string{"9"}}, 0, true)
	l.addError(errorRef{category: "C", ids: []string{"1"}}, 0, false)
	if l.blanks != 2 || len(l.blankErrs) != 1 || l.blankErrs[0].category != "A" || !l.stray {
		t.Errorf("leftover = %+v; want 2 blanks from error A, stray", l)
	}
}
