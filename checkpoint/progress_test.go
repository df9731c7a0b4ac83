package checkpoint

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func pos(off int64) Pos { return Pos{Offset: off, Line: off/10 + 1} }

func TestProgress(t *testing.T) {
	type settle struct {
		seq        uint64
		start, end int64
	}
	tests := []struct {
		name      string
		from      Pos
		carried   []Span
		settles   []settle
		wantMark  int64
		wantSpans []Span
	}{
		{"in order", Pos{}, nil, []settle{{1, 0, 10}, {2, 10, 20}}, 20, []Span{}},
		{"gap holds the watermark", Pos{}, nil, []settle{{1, 0, 10}, {3, 20, 30}}, 10,
			[]Span{{Start: 20, End: pos(30)}}},
		{"gap filled", Pos{}, nil, []settle{{3, 20, 30}, {2, 10, 20}, {1, 0, 10}}, 30, []Span{}},
		{"resume merges carried span", pos(10), []Span{{Start: 30, End: pos(40)}},
			[]settle{{1, 10, 30}}, 40, []Span{}},
		{"batch covering a carried span", pos(10), []Span{{Start: 30, End: pos(40)}},
			[]settle{{2, 20, 50}}, 10, []Span{{Start: 20, End: pos(50)}}},
		{"carried kept until reached", pos(10), []Span{{Start: 30, End: pos(40)}},
			[]settle{{1, 10, 20}}, 20, []Span{{Start: 30, End: pos(40)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewProgress(tt.from, tt.carried)
			for _, s := range tt.settles {
				p.Settle(s.seq, s.start, pos(s.end))
			}
			if got := p.Watermark().Offset; got != tt.wantMark {
				t.Errorf("watermark %d, want %d", got, tt.wantMark)
			}
			if diff := cmp.Diff(tt.wantSpans, p.Spans()); diff != "" {
				t.Errorf("spans (-want +got):\n%s", diff)
			}
		})
	}
}
