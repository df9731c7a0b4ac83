package mapping

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/source"
)

// TestApplyReportsEveryProblem checks that a record with several bad values
// is refused with all of them in one message, so that it is fixed in one
// round, under the code of the first.
func TestApplyReportsEveryProblem(t *testing.T) {
	header := []string{"id", "follow_up_date", "sentiment", "message_count", "hs_communication_body"}
	tests := []struct {
		name     string
		columns  []string // nil: JSONL
		in       []source.Prop
		wantCode string
		wantMsg  string
	}{
		{"one problem keeps its message", header,
			props("follow_up_date", "2023-02-29", "sentiment", "pos"),
			CodeInvalidDate,
			`line 4: column "follow_up_date": "2023-02-29" is not a day of the calendar (day or month out of range)`},
		{"three problems in one message", header,
			props("follow_up_date", "2023-02-29", "sentiment", "happy", "message_count", "abc", "hs_communication_body", "fine"),
			CodeInvalidDate,
			`line 4: 3 problems: ` +
				`INVALID_DATE: column "follow_up_date": "2023-02-29" is not a day of the calendar (day or month out of range); ` +
				`INVALID_OPTION: column "sentiment": "happy" is not an option; want one of: pos, neu, neg; ` +
				`INVALID_NUMBER: column "message_count": "abc" is not a number: want digits with an optional sign, decimal mark and exponent, such as -1234.5 or 1.5e3`},
		{"unknown and read-only keys with a bad value", nil,
			props("Mood", "x", "hs_object_id", "1", "message_count", "1,5"),
			CodeUnknownProperty,
			`line 4: 3 problems: ` +
				`UNKNOWN_PROPERTY: key "Mood" is not a property of this object type; rename it with --map KEY=PROPERTY or drop it with --drop KEY (mapping.columns), or pass --ignore-unmapped (mapping.ignore_unmapped); ` +
				`READ_ONLY_PROPERTY: key "hs_object_id": property "hs_object_id" is calculated and cannot be written; drop it with --drop KEY (mapping.columns); ` +
				`INVALID_NUMBER: key "message_count": "1,5" is not a number: unexpected ','; if it separates thousands or decimals, set thousands_separator or decimal_comma`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, applier := range []bool{false, true} {
				m := mustNew(t, Config{}, tt.columns)
				in := append([]source.Prop(nil), tt.in...)
				rec := source.Record{Line: 4, ID: "42", Props: in}
				if applier {
					m.Applier().Apply(&rec)
				} else {
					m.Apply(&rec)
				}
				if rec.Err == nil {
					t.Fatalf("Apply (applier %v): no error", applier)
				}
				if rec.Err.Code != tt.wantCode {
					t.Errorf("Apply (applier %v): code %s, want %s", applier, rec.Err.Code, tt.wantCode)
				}
				if diff := cmp.Diff(tt.wantMsg, rec.Err.Message); diff != "" {
					t.Errorf("Apply (applier %v): message (-want +got):\n%s", applier, diff)
				}
				if diff := cmp.Diff(tt.in, rec.Props); diff != "" {
					t.Errorf("failed record's Props changed (-want +got):\n%s", diff)
				}
			}
		})
	}
}
