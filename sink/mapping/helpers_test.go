package mapping

import (
	"testing"
	_ "time/tzdata" // the DST cases must not depend on the machine's zoneinfo

	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// testProps is the emulator's communications object plus a phone number and
// a multi-select whose labels differ from its values.
var testProps = []sink.Property{
	{Name: "hs_communication_channel_type", Label: "Channel type", Type: "enumeration", FieldType: "select", Options: []sink.Option{
		{Label: "WhatsApp", Value: "WHATS_APP"}, {Label: "LinkedIn", Value: "LINKEDIN_MESSAGE"}, {Label: "SMS", Value: "SMS"}}},
	{Name: "hs_communication_body", Label: "Body", Type: "string", FieldType: "textarea"},
	{Name: "hubspot_owner_id", Label: "Owner", Type: "enumeration", FieldType: "select", Options: []sink.Option{
		{Label: "Ada Lovelace", Value: "1001"}, {Label: "Grace Hopper", Value: "1002"}, {Label: "Alan Turing", Value: "1003"}}},
	{Name: "hs_timestamp", Label: "Timestamp", Type: "datetime", FieldType: "date"},
	{Name: "hs_object_id", Label: "Record ID", Type: "number", FieldType: "number", Calculated: true, ReadOnlyValue: true},
	{Name: "hs_createdate", Label: "Create date", Type: "datetime", FieldType: "date", ReadOnlyValue: true},
	{Name: "message_count", Label: "Message count", Type: "number", FieldType: "number"},
	{Name: "is_priority", Label: "Priority", Type: "bool", FieldType: "booleancheckbox", Options: []sink.Option{
		{Label: "Yes", Value: "true"}, {Label: "No", Value: "false"}}},
	{Name: "follow_up_date", Label: "Follow-up date", Type: "date", FieldType: "date"},
	{Name: "last_reply_at", Label: "Last reply at", Type: "datetime", FieldType: "date"},
	{Name: "sentiment", Label: "Sentiment", Type: "enumeration", FieldType: "select", Options: []sink.Option{
		{Label: "Positive", Value: "pos"}, {Label: "Neutral", Value: "neu"}, {Label: "Negative", Value: "neg"}}},
	{Name: "topics", Label: "Topics", Type: "enumeration", FieldType: "checkbox", Options: []sink.Option{
		{Label: "Billing", Value: "BILLING"}, {Label: "Support", Value: "SUPPORT"}, {Label: "Sales", Value: "SALES"}, {Label: "Feedback", Value: "FEEDBACK"}}},
	{Name: "tags", Label: "Tags", Type: "enumeration", FieldType: "checkbox", Options: []sink.Option{
		{Label: "Alpha", Value: "A"}, {Label: "Beta", Value: "B"}, {Label: "Gamma", Value: "C"}}},
	{Name: "external_id", Label: "External ID", Type: "string", FieldType: "text", HasUniqueValue: true},
	{Name: "phone", Label: "Phone Number", Type: "string", FieldType: "phonenumber"},
}

// mustNew builds a Mapper or fails the test.
func mustNew(t testing.TB, cfg Config, columns []string) *Mapper {
	t.Helper()
	m, err := New(cfg, testProps, columns, "id", "")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

// targetOf returns the compiled target of a test property under cfg.
func targetOf(t testing.TB, cfg Config, name string) *target {
	t.Helper()
	cc, err := cfg.compile()
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	for i := range testProps {
		if testProps[i].Name == name {
			return newTarget(&testProps[i], cc.settingsFor(name))
		}
	}
	t.Fatalf("no test property %q", name)
	return nil
}

// outcome is what coerce did with one value: the value sent, "<skip>", or
// the error code.
func outcome(out string, send bool, code string) string {
	switch {
	case code != "":
		return code
	case !send:
		return "<skip>"
	}
	return out
}

func props(kv ...string) []source.Prop {
	p := make([]source.Prop, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		p = append(p, source.Prop{Name: kv[i], Value: kv[i+1]})
	}
	return p
}

func ptr[T any](v T) *T { return &v }
