package sink

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTallySettle(t *testing.T) {
	notFound := errorRef{category: "OBJECT_NOT_FOUND", message: "not found"}
	noCategory := errorRef{message: "odd"}
	tests := []struct {
		name      string
		confirmed []int
		failed    map[int]*errorRef
		want      []ItemResult
		wantRest  []int
	}{
		{name: "nothing named", want: make([]ItemResult, 3), wantRest: []int{0, 1, 2}},
		{name: "confirmed", confirmed: []int{0, 2},
			want: []ItemResult{{Outcome: Applied}, {}, {Outcome: Applied}}, wantRest: []int{1}},
		{name: "failed", failed: map[int]*errorRef{1: &notFound},
			want:     []ItemResult{{}, {Outcome: Failed, Code: "OBJECT_NOT_FOUND", Message: "not found"}, {}},
			wantRest: []int{0, 2}},
		{name: "failed without category", failed: map[int]*errorRef{0: &noCategory, 1: &noCategory, 2: &noCategory},
			want: []ItemResult{
				{Outcome: Failed, Code: "UNSPECIFIED_ERROR", Message: "odd"},
				{Outcome: Failed, Code: "UNSPECIFIED_ERROR", Message: "odd"},
				{Outcome: Failed, Code: "UNSPECIFIED_ERROR", Message: "odd"}}},
		{name: "confirmed and failed is unknown", confirmed: []int{0, 1, 2}, failed: map[int]*errorRef{1: &notFound},
			want: []ItemResult{{Outcome: Applied}, {Message: "response both confirms and rejects this input"}, {Outcome: Applied}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTally(3)
			for _, i := range tt.confirmed {
				tl.confirm(i)
			}
			for i, e := range tt.failed {
				tl.fail(i, e)
			}
			items, rest := tl.settle()
			if diff := cmp.Diff(tt.want, items); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantRest, rest); diff != "" {
				t.Errorf("rest (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTallyLaterErrorWins: an input named by two errors takes the later's
// reason.
func TestTallyLaterErrorWins(t *testing.T) {
	tl := newTally(1)
	tl.fail(0, &errorRef{category: "A"})
	tl.fail(0, &errorRef{category: "B"})
	if items, _ := tl.settle(); items[0].Code != "B" {
		t.Errorf("code = %q, want B", items[0].Code)
	}
}
