package mapping

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// labelProps adds to testProps two properties that share a label, and one
// whose label is another's internal name, as custom properties can.
var labelProps = append(append([]sink.Property(nil), testProps...),
	sink.Property{Name: "hs_call_status", Label: "Status", Type: "string", FieldType: "text"},
	sink.Property{Name: "legacy_status", Label: " status", Type: "string", FieldType: "text"},
	sink.Property{Name: "score", Label: "Sentiment", Type: "number", FieldType: "number"},
)

// TestLabelColumns checks that a column named by a property's label, as
// HubSpot's exports name them, maps to that property when exactly one
// property has that label and none that name, and that an ambiguous one is
// refused naming the candidates and the --map to use.
func TestLabelColumns(t *testing.T) {
	tests := []struct {
		name         string
		cfg          Config
		columns      []string
		wantLabels   []LabelMatch
		wantProblems []Problem
	}{
		{"labels of HubSpot's export", Config{}, []string{"Record ID", "Body", "channel type ", "Phone Number"},
			[]LabelMatch{{"Body", "hs_communication_body"}, {"channel type ", "hs_communication_channel_type"}, {"Phone Number", "phone"}}, nil},
		{"internal name wins, no label lookup", Config{}, []string{"id", "sentiment"}, nil, nil},
		{"explicit --map wins", Config{Columns: map[string]string{"Body": "phone"}}, []string{"id", "Body"}, nil, nil},
		{"two properties with the label", Config{}, []string{"id", "Status"}, nil,
			[]Problem{{Kind: AmbiguousLabel, Column: "Status"}}},
		{"a label that is also a name, case aside", Config{}, []string{"id", "SENTIMENT"}, nil,
			[]Problem{{Kind: AmbiguousLabel, Column: "SENTIMENT"}}},
		{"label of a read-only property", Config{}, []string{"id", "Create date"}, nil,
			[]Problem{{Kind: ReadOnly, Column: "Create date", Property: "hs_createdate"}}},
		{"label and name of one property", Config{}, []string{"id", "Body", "hs_communication_body"},
			nil, []Problem{{Kind: DuplicateTarget, Column: "hs_communication_body", Property: "hs_communication_body"}}},
		{"ignore_unmapped does not drop a label", Config{IgnoreUnmapped: true}, []string{"id", "Body", "zzz"},
			[]LabelMatch{{"Body", "hs_communication_body"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "id"
			if tt.columns[0] == "Record ID" {
				id = "Record ID"
			}
			m, err := New(tt.cfg, labelProps, tt.columns, id, "")
			var pe *PreflightError
			if tt.wantProblems != nil {
				if !errors.As(err, &pe) {
					t.Fatalf("New: err = %v, want a *PreflightError", err)
				}
				if diff := cmp.Diff(tt.wantProblems, pe.Problems, cmpopts.IgnoreFields(Problem{}, "Message")); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if diff := cmp.Diff(tt.wantLabels, m.LabelMatches()); diff != "" {
				t.Errorf("LabelMatches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLabelColumnsApply(t *testing.T) {
	m, err := New(Config{}, labelProps, []string{"Record ID", "Body", "Channel type"}, "Record ID", "")
	if err != nil {
		t.Fatal(err)
	}
	rec := source.Record{Line: 2, ID: "7", Props: props("Body", "Hi", "Channel type", "sms")}
	m.Apply(&rec)
	if rec.Err != nil {
		t.Fatalf("Apply: %v", rec.Err)
	}
	if diff := cmp.Diff(props("hs_communication_body", "Hi", "hs_communication_channel_type", "SMS"), rec.Props); diff != "" {
		t.Errorf("Props (-want +got):\n%s", diff)
	}
}

func TestAmbiguousLabelMessage(t *testing.T) {
	_, err := New(Config{}, labelProps, []string{"id", "Status"}, "id", "")
	var pe *PreflightError
	if !errors.As(err, &pe) || len(pe.Problems) != 1 {
		t.Fatalf("New: err = %v, want one problem", err)
	}
	want := `column "Status" is the label of 2 properties, "hs_call_status" and "legacy_status": ` +
		`say which with --map "Status=hs_call_status" (or mapping.columns), or drop it with --drop "Status"`
	if got := pe.Problems[0].Message; got != want {
		t.Errorf("message:\n got %s\nwant %s", got, want)
	}
}
