package sink

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestInputIndexOfResult(t *testing.T) {
	tests := []struct {
		name       string
		ids        []string
		idProperty string
		r          resultRef
		want       int
	}{
		{name: "trace id", ids: []string{"1", "2"}, r: resultRef{trace: "hs-t-000011"}, want: 1},
		{name: "trace id wins over id", ids: []string{"1", "2"}, r: resultRef{id: "1", trace: "hs-t-000011"}, want: 1},
		{name: "trace id past the batch", ids: []string{"1", "2"}, r: resultRef{trace: "hs-t-000012"}, want: -1},
		{name: "foreign trace id falls back to id", ids: []string{"1", "2"}, r: resultRef{id: "2", trace: "x-000010"}, want: 1},
		{name: "other spelling of a trace id", ids: []string{"1"}, r: resultRef{trace: "hs-t-10"}, want: -1},
		{name: "canonical id", ids: []string{"007"}, r: resultRef{id: "7"}, want: 0},
		{name: "id never sent", ids: []string{"1"}, r: resultRef{id: "9"}, want: -1},
		{name: "id two inputs share", ids: []string{"5", "05"}, r: resultRef{id: "5"}, want: -1},
		{name: "no id", ids: []string{"1"}, r: resultRef{}, want: -1},
		{name: "idProperty: echoed value, case-folded", ids: []string{"Ext-1"}, idProperty: "ext_id",
			r: resultRef{id: "901", prop: "EXT-1"}, want: 0},
		{name: "idProperty: result id is not a sent value", ids: []string{"901"}, idProperty: "ext_id",
			r: resultRef{id: "901"}, want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := inputIndex{inputs: inputsFor(tt.ids...),
				meta: batchMeta{idProperty: tt.idProperty, tracePrefix: "hs-t", traceStart: 10}}
			if got := x.ofResult(tt.r); got != tt.want {
				t.Errorf("ofResult(%+v) = %d, want %d", tt.r, got, tt.want)
			}
		})
	}
}

func TestInputIndexOfError(t *testing.T) {
	tests := []struct {
		name       string
		e          errorRef
		wantNamed  []int
		wantBlanks int
		wantStray  bool
	}{
		{name: "by id", e: errorRef{ids: []string{"2"}}, wantNamed: []int{1}},
		{name: "by canonical id", e: errorRef{ids: []string{"0003"}}, wantNamed: []int{2}},
		{name: "by trace id", e: errorRef{traces: []string{"hs-t-000010"}}, wantNamed: []int{0}},
		{name: "traces before ids", e: errorRef{ids: []string{"1"}, traces: []string{"hs-t-000012"}}, wantNamed: []int{2, 0}},
		{name: "blank ids", e: errorRef{ids: []string{"", " "}}, wantBlanks: 2},
		{name: "blank id and a named one", e: errorRef{ids: []string{"", "1"}}, wantNamed: []int{0}, wantBlanks: 1},
		{name: "id never sent", e: errorRef{ids: []string{"1", "9"}}, wantNamed: []int{0}, wantStray: true},
		{name: "foreign trace id", e: errorRef{traces: []string{"x-000010"}}, wantStray: true},
		{name: "id two inputs share", e: errorRef{ids: []string{"7"}}, wantStray: true},
		{name: "names nothing", e: errorRef{category: "X"}, wantStray: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := inputIndex{inputs: inputsFor("1", "2", "3", "7", "07"),
				meta: batchMeta{tracePrefix: "hs-t", traceStart: 10}}
			named, blanks, stray := x.ofError(tt.e)
			if diff := cmp.Diff(tt.wantNamed, named, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("named (-want +got):\n%s", diff)
			}
			if blanks != tt.wantBlanks || stray != tt.wantStray {
				t.Errorf("blanks, stray = %d, %v; want %d, %v", blanks, stray, tt.wantBlanks, tt.wantStray)
			}
		})
	}
}

func TestInputIndexDuplicates(t *testing.T) {
	tests := []struct {
		name string
		ids  []string
		want bool
	}{
		{"distinct", []string{"1", "2", "a"}, false},
		{"leading zeros", []string{"0123", "123"}, true},
		{"case", []string{"EXT-1", "ext-1"}, true},
		{"spaces", []string{" a", "a "}, true},
		{"empty ids are no key", []string{"", " "}, false},
		{"no inputs", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := inputIndex{inputs: inputsFor(tt.ids...)}
			if got := x.duplicates(); got != tt.want {
				t.Errorf("duplicates() = %v, want %v", got, tt.want)
			}
		})
	}
}
