package mapping

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/hubsync/hubsync/source"
)

// BenchmarkApply maps a record of ten properties of mixed types: "raw" as a
// spreadsheet export writes them, "wire" already in HubSpot's forms.
func BenchmarkApply(b *testing.B) {
	cfg := Config{
		Columns:            map[string]string{"Body": "hs_communication_body", "Channel": "hs_communication_channel_type"},
		ThousandsSeparator: ",",
		TimeZone:           "Europe/Berlin",
		MatchLabels:        true,
		MultiSeparator:     ",",
	}
	columns := []string{"id", "Body", "phone", "message_count", "is_priority", "follow_up_date",
		"last_reply_at", "hs_timestamp", "sentiment", "topics", "Channel"}
	wire := cfg
	wire.MultiSeparator = ""
	// As bench/gen writes them: property names as columns, values in
	// HubSpot's forms but for datetimes without milliseconds.
	genColumns := []string{"id", "hs_communication_body", "hs_communication_channel_type", "hs_timestamp",
		"hubspot_owner_id", "message_count", "is_priority", "follow_up_date", "sentiment", "topics"}
	records := []struct {
		name    string
		cfg     Config
		columns []string
		props   []source.Prop
	}{
		{"gen", Config{}, genColumns, props(
			"hs_communication_body", "Message number 1 about the order", "hs_communication_channel_type", "LINKEDIN_MESSAGE",
			"hs_timestamp", "2026-01-01T00:00:01Z", "hubspot_owner_id", "1002", "message_count", "1",
			"is_priority", "false", "follow_up_date", "2026-01-02", "sentiment", "neu", "topics", "SUPPORT")},
		{"raw", cfg, columns, props(
			"Body", "  Thanks, see you Tuesday!\u200b", "phone", "+49 30 1234567",
			"message_count", "1,234", "is_priority", "Yes", "follow_up_date", "2024-02-29",
			"last_reply_at", "2024-10-27 02:30", "hs_timestamp", "2024-05-01T12:00:00+02:00",
			"sentiment", "Positive", "topics", "billing, support", "Channel", "sms")},
		{"wire", wire, columns, props(
			"Body", "Thanks, see you Tuesday!", "phone", "+49 30 1234567",
			"message_count", "1234", "is_priority", "true", "follow_up_date", "2024-02-29",
			"last_reply_at", "2024-10-27T00:30:00.000Z", "hs_timestamp", "2024-05-01T10:00:00.000Z",
			"sentiment", "pos", "topics", "BILLING;SUPPORT", "Channel", "SMS")},
	}
	for _, r := range records {
		m := mustNew(b, r.cfg, r.columns)
		// An Applier sees the same record again: every option remembered.
		for _, a := range []*Applier{nil, m.Applier()} {
			name := r.name + "/Mapper"
			if a != nil {
				name = r.name + "/Applier"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				buf := make([]source.Prop, len(r.props))
				for b.Loop() {
					copy(buf, r.props) // Apply rewrites the record in place
					rec := source.Record{Line: 2, ID: "1", Props: buf}
					if a != nil {
						a.Apply(&rec)
					} else {
						m.Apply(&rec)
					}
					if rec.Err != nil {
						b.Fatal(rec.Err)
					}
				}
			})
		}
	}
}

// BenchmarkApplyGenRows maps, through one Applier, a run of records whose
// values vary as bench/gen writes them (options in turn, a new datetime
// every row), which BenchmarkApply's one record repeated does not show:
// how well the Applier remembers options that take turns.
func BenchmarkApplyGenRows(b *testing.B) {
	columns := []string{"id", "hs_communication_body", "hs_communication_channel_type", "hs_timestamp",
		"hubspot_owner_id", "message_count", "is_priority", "follow_up_date", "sentiment", "topics"}
	channels := []string{"WHATS_APP", "LINKEDIN_MESSAGE", "SMS"}
	owners := []string{"1001", "1002", "1003"}
	sentiments := []string{"pos", "neu", "neg"}
	topics := []string{"BILLING", "SUPPORT", "SALES", "FEEDBACK", "BILLING;SALES"}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([][]source.Prop, 1000)
	for i := range rows {
		rows[i] = props(
			"hs_communication_body", fmt.Sprintf("Message number %d about the order", i),
			"hs_communication_channel_type", channels[i%3],
			"hs_timestamp", base.Add(time.Duration(i)*time.Second).Format("2006-01-02T15:04:05Z"),
			"hubspot_owner_id", owners[i%3], "message_count", strconv.Itoa(i%500),
			"is_priority", strconv.FormatBool(i%2 == 0), "follow_up_date", base.AddDate(0, 0, i%365).Format(time.DateOnly),
			"sentiment", sentiments[i%3], "topics", topics[i%5])
	}
	a := mustNew(b, Config{}, columns).Applier()
	buf := make([]source.Prop, len(rows[0]))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		copy(buf, rows[i%len(rows)]) // Apply rewrites the record in place
		rec := source.Record{Line: 2, ID: "1", Props: buf}
		if a.Apply(&rec); rec.Err != nil {
			b.Fatal(rec.Err)
		}
		i++
	}
}
