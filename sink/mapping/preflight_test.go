package mapping

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestNewPreflight(t *testing.T) {
	ignoreMessage := cmpopts.IgnoreFields(Problem{}, "Message")
	tests := []struct {
		name       string
		cfg        Config
		columns    []string // nil: JSONL
		idProperty string
		want       []Problem
	}{
		{"clean header", Config{}, []string{"id", "hs_communication_body", "sentiment", "_error", "_source_line"}, "", nil},
		{"clean JSONL", Config{Columns: map[string]string{"Body": "hs_communication_body"}}, nil, "external_id", nil},
		{"unknown column with suggestion from the label", Config{}, []string{"id", "Phone No"}, "",
			[]Problem{{Kind: UnknownColumn, Column: "Phone No", Suggestion: "phone"}}},
		{"unknown column with suggestion from the name", Config{}, []string{"id", "sentimnet"}, "",
			[]Problem{{Kind: UnknownColumn, Column: "sentimnet", Suggestion: "sentiment"}}},
		{"unknown column contained in a name", Config{}, []string{"id", "Follow-up"}, "",
			[]Problem{{Kind: UnknownColumn, Column: "Follow-up", Suggestion: "follow_up_date"}}},
		{"unknown column without a near property", Config{}, []string{"id", "zzzz"}, "",
			[]Problem{{Kind: UnknownColumn, Column: "zzzz"}}},
		{"unknown column ignored", Config{IgnoreUnmapped: true}, []string{"id", "zzzz"}, "", nil},
		{"renamed to a missing property", Config{Columns: map[string]string{"Mood": "sentimen"}}, []string{"id", "Mood"}, "",
			[]Problem{{Kind: UnknownProperty, Column: "Mood", Property: "sentimen", Suggestion: "sentiment"}}},
		{"read-only column", Config{}, []string{"id", "hs_object_id"}, "",
			[]Problem{{Kind: ReadOnly, Column: "hs_object_id", Property: "hs_object_id"}}},
		{"renamed to a read-only property", Config{Columns: map[string]string{"Created": "hs_createdate"}}, []string{"id", "Created"}, "",
			[]Problem{{Kind: ReadOnly, Column: "Created", Property: "hs_createdate"}}},
		{"read-only column dropped", Config{Columns: map[string]string{"hs_object_id": "-"}}, []string{"id", "hs_object_id"}, "", nil},
		{"duplicate targets", Config{Columns: map[string]string{"Mobile": "phone"}}, []string{"id", "phone", "Mobile"}, "",
			[]Problem{{Kind: DuplicateTarget, Column: "Mobile", Property: "phone"}}},
		{"duplicate targets in JSONL config", Config{Columns: map[string]string{"a": "phone", "b": "phone"}}, nil, "",
			[]Problem{{Kind: DuplicateTarget, Column: "b", Property: "phone"}}},
		{"renamed column missing from the file", Config{Columns: map[string]string{"Mobile": "phone", "Old": "-"}}, []string{"id"}, "",
			[]Problem{{Kind: MissingColumn, Column: "Mobile", Property: "phone"}}},
		{"id column mapped", Config{Columns: map[string]string{"id": "external_id"}}, []string{"id"}, "",
			[]Problem{{Kind: IDColumnMapped, Column: "id"}}},
		{"non-unique id property", Config{}, []string{"id"}, "phone",
			[]Problem{{Kind: BadIDProperty, Property: "phone"}}},
		{"missing id property", Config{}, []string{"id"}, "external_idd",
			[]Problem{{Kind: BadIDProperty, Property: "external_idd", Suggestion: "external_id"}}},
		{"unique id property", Config{}, []string{"id"}, "external_id", nil},
		{"constants", Config{Constants: map[string]string{
			"hs_communication_channel_type": "sms", "hs_object_id": "1", "nope": "x", "message_count": "many", "sentiment": "pos",
		}}, []string{"id", "sentiment"}, "", []Problem{
			{Kind: ReadOnly, Property: "hs_object_id"},
			{Kind: BadConstant, Property: "message_count"},
			{Kind: UnknownProperty, Property: "nope"},
			{Kind: DuplicateTarget, Column: "sentiment", Property: "sentiment"},
		}},
		{"override of a missing property", Config{Properties: map[string]PropertyConfig{"sentimen": {Empty: "clear"}}}, []string{"id"}, "",
			[]Problem{{Kind: UnknownProperty, Property: "sentimen", Suggestion: "sentiment"}}},
		{"all reported together", Config{Columns: map[string]string{"Mobile": "phone"}, Properties: map[string]PropertyConfig{"x": {}}},
			[]string{"id", "Phone No", "hs_object_id", "phone", "Mobile", "sentiment"}, "hs_communication_body",
			[]Problem{
				{Kind: UnknownColumn, Column: "Phone No", Suggestion: "phone"},
				{Kind: ReadOnly, Column: "hs_object_id", Property: "hs_object_id"},
				{Kind: DuplicateTarget, Column: "Mobile", Property: "phone"},
				{Kind: UnknownProperty, Property: "x"},
				{Kind: BadIDProperty, Property: "hs_communication_body"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(tt.cfg, testProps, tt.columns, "id", tt.idProperty)
			if tt.want == nil {
				if err != nil || m == nil {
					t.Fatalf("New = %v, %v; want a mapper", m, err)
				}
				return
			}
			pe, ok := errors.AsType[*PreflightError](err)
			if !ok {
				t.Fatalf("New error = %v, want a *PreflightError", err)
			}
			if diff := cmp.Diff(tt.want, pe.Problems, ignoreMessage); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			lines := strings.Split(pe.Error(), "\n")
			if len(lines) != len(tt.want)+1 {
				t.Errorf("Error() has %d lines, want a summary and one per problem:\n%s", len(lines), pe.Error())
			}
			for i, p := range pe.Problems {
				if p.Message == "" || strings.Contains(p.Message, "\n") || lines[i+1] != "  "+p.Message {
					t.Errorf("problem %d message %q is not line %d of Error()", i, p.Message, i+1)
				}
			}
		})
	}
}

func TestNewPreflightMessages(t *testing.T) {
	_, err := New(Config{}, testProps, []string{"id", "Phone No", "hs_object_id"}, "id", "phone")
	want := `check mapping: 3 problems:
  column "Phone No" is not a property of this object type (did you mean "phone"?); rename it under mapping.columns, drop it with "-", or set mapping.ignore_unmapped
  column "hs_object_id" maps to property "hs_object_id", which is calculated and cannot be written; drop it with "-" under mapping.columns
  id property "phone" does not have unique values, so HubSpot cannot address records by it; properties with unique values: "external_id"`
	if err == nil || err.Error() != want {
		t.Errorf("New error:\n%v\nwant:\n%s", err, want)
	}
}

func TestNewInvalidConfig(t *testing.T) {
	_, err := New(Config{TimeZone: "Nowhere/Special"}, testProps, []string{"id"}, "id", "")
	if _, ok := errors.AsType[*PreflightError](err); err == nil || ok {
		t.Errorf("New = %v, want a config error that is not a *PreflightError", err)
	}
}

func TestProperties(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		columns []string
		want    []string
	}{
		{"CSV in column order, then constants", Config{
			Columns:   map[string]string{"Mood": "sentiment", "Notes": "-"},
			Constants: map[string]string{"hs_communication_channel_type": "SMS"},
		}, []string{"id", "phone", "Notes", "Mood"}, []string{"phone", "sentiment", "hs_communication_channel_type"}},
		{"JSONL: renamed keys and constants", Config{
			Columns:   map[string]string{"Mood": "sentiment", "Notes": "-"},
			Constants: map[string]string{"hs_communication_channel_type": "SMS"},
		}, nil, []string{"sentiment", "hs_communication_channel_type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustNew(t, tt.cfg, tt.columns).Properties()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Properties (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClosest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Phone Number", "phone"},
		{"PHONE", "phone"},
		{"Sentimnet", "sentiment"},
		{"Email Address", ""}, // no email property among testProps
		{"External-ID", "external_id"},
		{"Record ID", "hs_object_id"},
		{"x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Closest(tt.in, testProps); got != tt.want {
				t.Errorf("Closest(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
