package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/sink/mapping"
)

func TestEffectiveMapping(t *testing.T) {
	props := []sink.Property{{Name: "hs_communication_body", Type: "string", FieldType: "textarea"},
		{Name: "hs_communication_logged_from", Type: "string", FieldType: "text"}, {Name: "topic", Type: "string", FieldType: "text"},
		{Name: "hs_call_title", Label: "Call title", Type: "string", FieldType: "text"}}
	cfg := mapping.Config{Columns: map[string]string{"Body": "hs_communication_body", "Secret notes": "-"},
		Constants: map[string]string{"hs_communication_logged_from": "CRM"}, IgnoreUnmapped: true, Empty: mapping.EmptySkip}
	// "Call title" is named by its property's label, as in HubSpot's exports.
	header := []string{"id", "Body", "Secret notes", "topic", "Call title", "unknown", "_error_code"}
	m, err := mapping.New(cfg, props, header, "id", "")
	if err != nil {
		t.Fatal(err)
	}
	jsonl, err := mapping.New(cfg, props, nil, "id", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		header []string
		m      *mapping.Mapper
		want   *reportMapping
	}{
		{"csv", header, m, &reportMapping{
			Columns:   map[string]string{"Body": "hs_communication_body", "topic": "topic", "Call title": "hs_call_title"},
			Constants: map[string]string{"hs_communication_logged_from": "CRM"},
			Ignored:   []string{"Secret notes", "unknown", "_error_code"}, IgnoreUnmapped: true, Preflight: true, idColumn: "id"}},
		{"csv without preflight", []string{"id", "topic", "_source_line"}, nil, &reportMapping{
			Columns:   map[string]string{"topic": "topic"},
			Constants: map[string]string{"hs_communication_logged_from": "CRM"},
			Ignored:   []string{"_source_line"}, IgnoreUnmapped: true, idColumn: "id"}},
		{"jsonl", nil, jsonl, &reportMapping{
			Columns:   map[string]string{"Body": "hs_communication_body"},
			Constants: map[string]string{"hs_communication_logged_from": "CRM"},
			Ignored:   []string{"Secret notes"}, IgnoreUnmapped: true, Preflight: true, idColumn: "id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, effectiveMapping(cfg, tt.header, "id", tt.m), cmp.AllowUnexported(reportMapping{})); diff != "" {
				t.Errorf("effectiveMapping (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAbsolutePaths(t *testing.T) {
	in := reportInput{File: "in/calls.csv", Checkpoint: "/var/lib/hubsync/calls.json", DeadLetter: "dead.csv", Dir: "/srv/hubsync"}
	want := reportPaths{Input: "/srv/hubsync/in/calls.csv", Checkpoint: "/var/lib/hubsync/calls.json", DeadLetter: "/srv/hubsync/dead.csv"}
	if diff := cmp.Diff(want, absolutePaths(in)); diff != "" {
		t.Errorf("absolutePaths (-want +got):\n%s", diff)
	}
}
