package mapping

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/source"
)

func TestApply(t *testing.T) {
	header := []string{"id", "Body", "sentiment", "message_count", "Notes", "follow_up_date"}
	renames := map[string]string{"Body": "hs_communication_body", "Notes": "-"}
	tests := []struct {
		name     string
		cfg      Config
		columns  []string // nil: JSONL
		in       []source.Prop
		want     []source.Prop // nil when wantCode is set
		wantCode string
	}{
		{"renamed, dropped, coerced", Config{Columns: renames}, header,
			props("Body", " hi there ", "sentiment", "POS", "message_count", "3", "Notes", "x", "follow_up_date", "2024-02-29"),
			props("hs_communication_body", "hi there", "sentiment", "pos", "message_count", "3", "follow_up_date", "2024-02-29"), ""},
		{"empty skipped by default", Config{Columns: renames}, header,
			props("Body", "", "sentiment", " \u200b", "message_count", "1"),
			props("message_count", "1"), ""},
		{"empty cleared", Config{Columns: renames, Empty: "clear"}, header,
			props("Body", "", "sentiment", "\u00a0", "message_count", "1"),
			props("hs_communication_body", "", "sentiment", "", "message_count", "1"), ""},
		{"per-property clear over global skip", Config{Columns: renames, Properties: map[string]PropertyConfig{
			"sentiment": {Empty: "clear"}}}, header,
			props("Body", "", "sentiment", "", "message_count", ""),
			props("sentiment", ""), ""},
		{"per-property skip over global clear", Config{Columns: renames, Empty: "clear", Properties: map[string]PropertyConfig{
			"hs_communication_body": {Empty: "skip"}}}, header,
			props("Body", "", "sentiment", "", "message_count", ""),
			props("sentiment", "", "message_count", ""), ""},
		{"constants appended", Config{Columns: renames, Constants: map[string]string{
			"hs_communication_channel_type": " sms ", "phone": ""}}, header,
			props("sentiment", "neu"),
			props("sentiment", "neu", "hs_communication_channel_type", "SMS", "phone", ""), ""},
		{"ignored columns dropped", Config{}, nil,
			props("_error", "x", "_error_code", "y", "_source_line", "3", "sentiment", "neg"),
			props("sentiment", "neg"), ""},
		{"string keeps inner content", Config{}, nil,
			props("hs_communication_body", "\ufeff  line one\n\u200bline\u00a0two  \u200b"),
			props("hs_communication_body", "line one\n\u200bline\u00a0two"), ""},
		{"bad number", Config{Columns: renames}, header, props("message_count", "12,34"), nil, CodeInvalidNumber},
		{"bad option", Config{Columns: renames}, header, props("Body", "ok", "sentiment", "happy"), nil, CodeInvalidOption},
		{"bad date", Config{Columns: renames}, header, props("follow_up_date", "2023-02-29"), nil, CodeInvalidDate},
		{"too long", Config{Columns: renames}, header, props("Body", strings.Repeat("é", MaxValueLength+1)), nil, CodeValueTooLong},
		{"longest allowed", Config{}, nil, props("hs_communication_body", strings.Repeat("é", MaxValueLength)),
			props("hs_communication_body", strings.Repeat("é", MaxValueLength)), ""},
		{"JSONL unknown key", Config{}, nil, props("sentiment", "pos", "Mood", "x"), nil, CodeUnknownProperty},
		{"JSONL unknown key ignored", Config{IgnoreUnmapped: true}, nil, props("Mood", "x", "sentiment", "pos"),
			props("sentiment", "pos"), ""},
		{"JSONL read-only key", Config{}, nil, props("hs_object_id", "12"), nil, CodeReadOnlyProperty},
		{"JSONL read-only key dropped", Config{Columns: map[string]string{"hs_object_id": "-"}}, nil,
			props("hs_object_id", "12", "phone", "+49 30 1234"), props("phone", "+49 30 1234"), ""},
		{"JSONL renamed key and own name", Config{Columns: map[string]string{"Mobile": "phone"}}, nil,
			props("Mobile", "1", "phone", "2"), nil, CodeDuplicateProperty},
		{"JSONL renamed key alone", Config{Columns: map[string]string{"Mobile": "phone"}}, nil,
			props("Mobile", "1"), props("phone", "1"), ""},
		{"JSONL key and constant", Config{Constants: map[string]string{"sentiment": "pos"}}, nil,
			props("sentiment", "neg"), nil, CodeDuplicateProperty},
		{"JSONL key and constant, key empty", Config{Constants: map[string]string{"sentiment": "pos"}}, nil,
			props("sentiment", ""), props("sentiment", "pos"), ""},
		{"props out of header order", Config{Columns: renames}, header,
			props("follow_up_date", "2024-01-01", "Body", "b"),
			props("follow_up_date", "2024-01-01", "hs_communication_body", "b"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustNew(t, tt.cfg, tt.columns)
			in := append([]source.Prop(nil), tt.in...)
			rec := source.Record{Line: 7, ID: "42", Props: in}
			m.Apply(&rec)
			if tt.wantCode != "" {
				if rec.Err == nil || rec.Err.Code != tt.wantCode {
					t.Fatalf("Apply: Err = %v, want code %s", rec.Err, tt.wantCode)
				}
				if diff := cmp.Diff(tt.in, in); diff != "" {
					t.Errorf("Apply modified a refused record's slice (-was +now):\n%s", diff)
				}
				if diff := cmp.Diff(tt.in, rec.Props); diff != "" {
					t.Errorf("failed record's Props changed (-want +got):\n%s", diff)
				}
				if !strings.HasPrefix(rec.Err.Message, "line 7: ") {
					t.Errorf("message %q does not start with the line", rec.Err.Message)
				}
				return
			}
			if rec.Err != nil {
				t.Fatalf("Apply: Err = %v", rec.Err)
			}
			if diff := cmp.Diff(tt.want, rec.Props); diff != "" {
				t.Errorf("Props (-want +got):\n%s", diff)
			}
		})
	}
}

func TestApplyMessages(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		columns []string
		in      []source.Prop
		want    string
	}{
		{"renamed column", Config{Columns: map[string]string{"Mood": "sentiment"}}, []string{"id", "Mood"},
			props("Mood", "Happy"),
			`line 3: column "Mood" (property "sentiment"): "Happy" is not an option; want one of: pos, neu, neg`},
		{"invisible characters shown", Config{}, []string{"id", "message_count"},
			props("message_count", "1\u200b2x"),
			`line 3: column "message_count": "1\u200b2x" is not a number: want digits with an optional sign, decimal mark and exponent, such as -1234.5 or 1.5e3`},
		{"separator hint", Config{}, []string{"id", "message_count"},
			props("message_count", "1,234"),
			`line 3: column "message_count": "1,234" is not a number: unexpected ','; if it separates thousands or decimals, set thousands_separator or decimal_comma`},
		{"skipped hour", Config{TimeZone: "Europe/Berlin"}, []string{"id", "last_reply_at"},
			props("last_reply_at", "2024-03-31 02:30"),
			`line 3: column "last_reply_at": "2024-03-31 02:30" does not exist in Europe/Berlin: the clocks skip it at a daylight saving change`},
		{"not midnight", Config{}, []string{"id", "follow_up_date"},
			props("follow_up_date", "1635535865000"),
			`line 3: column "follow_up_date": "1635535865000" is epoch milliseconds at 19:31:05.000 UTC, not midnight: a date must be at 00:00:00.000 UTC`},
		{"calendar", Config{}, []string{"id", "follow_up_date"},
			props("follow_up_date", "2024-02-30"),
			`line 3: column "follow_up_date": "2024-02-30" is not a day of the calendar (day or month out of range)`},
		{"unknown key with hint", Config{}, nil,
			props("Phone Number", "1"),
			`line 3: key "Phone Number" is not a property of this object type (did you mean "phone"?); rename it with --map KEY=PROPERTY or drop it with --drop KEY (mapping.columns), or pass --ignore-unmapped (mapping.ignore_unmapped)`},
		{"read-only key", Config{}, nil,
			props("hs_object_id", "1"),
			`line 3: key "hs_object_id": property "hs_object_id" is calculated and cannot be written; drop it with --drop KEY (mapping.columns)`},
		{"long value clipped", Config{}, nil,
			props("hs_communication_body", strings.Repeat("a", MaxValueLength+1)),
			fmt.Sprintf(`line 3: key "hs_communication_body": %q is %d characters long; HubSpot allows at most %d`,
				strings.Repeat("a", maxQuoted)+"…", MaxValueLength+1, MaxValueLength)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := source.Record{Line: 3, ID: "1", Props: tt.in}
			mustNew(t, tt.cfg, tt.columns).Apply(&rec)
			if rec.Err == nil {
				t.Fatalf("Apply: no error, Props %v", rec.Props)
			}
			if rec.Err.Message != tt.want {
				t.Errorf("message:\n%s\nwant:\n%s", rec.Err.Message, tt.want)
			}
		})
	}
}

func TestApplyLeavesFailedRecordsAlone(t *testing.T) {
	m := mustNew(t, Config{Constants: map[string]string{"sentiment": "pos"}}, []string{"id", "phone"})
	rec := source.Record{Line: 1, Err: &source.RecordError{Code: source.CodeMalformedRow, Message: "x"}}
	m.Apply(&rec)
	if rec.Props != nil || rec.Err.Code != source.CodeMalformedRow {
		t.Errorf("Apply changed a failed record: %+v", rec)
	}
}

func TestApplyConcurrent(t *testing.T) {
	m := mustNew(t, Config{TimeZone: "Europe/Berlin", MatchLabels: true, MultiSeparator: ","},
		[]string{"id", "sentiment", "tags", "last_reply_at"})
	want := props("sentiment", "pos", "tags", "A;B", "last_reply_at", "2024-10-27T00:30:00.000Z")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				rec := source.Record{Line: int64(i), Props: props("sentiment", "Positive", "tags", "a, b", "last_reply_at", "2024-10-27 02:30")}
				m.Apply(&rec)
				if rec.Err != nil || !cmp.Equal(want, rec.Props) {
					t.Errorf("goroutine %d record %d: %v %v", g, i, rec.Err, rec.Props)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestApplyInPlace: a record already in HubSpot's forms under property
// names keeps its Props as they are and costs no allocation; a record with
// values to change is rewritten within its own slice, allocating only the
// values that change; constants need a new slice, and leave the record's
// own untouched beyond its length.
func TestApplyInPlace(t *testing.T) {
	header := []string{"id", "hs_communication_body", "sentiment", "message_count", "is_priority", "follow_up_date", "hs_timestamp", "topics"}
	m := mustNew(t, Config{}, header)
	canonical := props("hs_communication_body", "Thanks, see you Tuesday!", "sentiment", "pos", "message_count", "1234",
		"is_priority", "true", "follow_up_date", "2024-02-29", "hs_timestamp", "2024-05-01T10:00:00.000Z", "topics", "BILLING;SUPPORT")
	want := slices.Clone(canonical)

	rec := source.Record{Line: 2, ID: "1", Props: canonical}
	m.Apply(&rec)
	if rec.Err != nil {
		t.Fatal(rec.Err)
	}
	if &rec.Props[0] != &canonical[0] || !slices.Equal(rec.Props, want) {
		t.Errorf("canonical record: Props %v", rec.Props)
	}
	allocs := testing.AllocsPerRun(100, func() {
		rec := source.Record{Line: 2, ID: "1", Props: canonical}
		m.Apply(&rec)
	})
	if allocs != 0 {
		t.Errorf("Apply of a canonical record: %v allocations, want 0", allocs)
	}

	changed := props("hs_communication_body", "Hi", "sentiment", "POS", "message_count", "7", "topics", "")
	rec = source.Record{Line: 3, ID: "2", Props: changed}
	m.Apply(&rec)
	if rec.Err != nil {
		t.Fatal(rec.Err)
	}
	if diff := cmp.Diff(props("hs_communication_body", "Hi", "sentiment", "pos", "message_count", "7"), rec.Props); diff != "" {
		t.Errorf("Props (-want +got):\n%s", diff)
	}
	if &rec.Props[0] != &changed[0] {
		t.Error("changed record got a new slice, want its own rewritten")
	}
	allocs = testing.AllocsPerRun(100, func() {
		rec := source.Record{Line: 3, ID: "2", Props: props("sentiment", "POS", "message_count", "7")}
		m.Apply(&rec)
	})
	if allocs > 1 { // props() itself
		t.Errorf("Apply of a record with an option to fold: %v allocations, want none of its own", allocs-1)
	}

	// Constants: a new slice, after the record's own properties.
	mc := mustNew(t, Config{Constants: map[string]string{"hs_communication_channel_type": "SMS"}}, header)
	short := slices.Clone(want)
	rec = source.Record{Line: 4, ID: "3", Props: short[:1]}
	mc.Apply(&rec)
	if diff := cmp.Diff(props("hs_communication_body", "Thanks, see you Tuesday!", "hs_communication_channel_type", "SMS"), rec.Props); diff != "" {
		t.Errorf("with a constant (-want +got):\n%s", diff)
	}
	if !slices.Equal(short, want) {
		t.Error("Apply with constants wrote past the record's Props")
	}
}

// TestApplierRemembers: an Applier coerces a repeated option or boolean
// once, and gives the same results as Apply for changed values, refused
// ones and values of other properties.
func TestApplierRemembers(t *testing.T) {
	header := []string{"id", "sentiment", "is_priority", "message_count"}
	m := mustNew(t, Config{MatchLabels: true}, header)
	a := m.Applier()
	checkApplier(t, m, a, [][]source.Prop{
		props("sentiment", "Positive", "is_priority", "Yes", "message_count", "1"),
		props("sentiment", "Positive", "is_priority", "Yes", "message_count", "2"),
		props("sentiment", "NEG", "is_priority", "no", "message_count", "3"),
		props("sentiment", "Happy", "is_priority", "no", "message_count", "4"),
		props("sentiment", "NEG", "is_priority", "maybe", "message_count", "5"),
		props("sentiment", "NEG", "is_priority", "no", "message_count", "6"),
	})
	rec := source.Record{Line: 9, ID: "1", Props: props("sentiment", "NEG", "is_priority", "no")}
	if allocs := testing.AllocsPerRun(100, func() {
		r := rec
		r.Props = []source.Prop{{Name: "sentiment", Value: "NEG"}, {Name: "is_priority", Value: "no"}}
		a.Apply(&r)
	}); allocs > 1 { // the literal slice
		t.Errorf("Applier on remembered values: %v allocations", allocs)
	}
}

// TestApplierJSONLKeyOrder: an Applier remembers the plans of the keys of
// the record before; records with the same keys in another order, fewer
// keys or unknown ones map exactly as Apply maps them.
func TestApplierJSONLKeyOrder(t *testing.T) {
	m := mustNew(t, Config{Columns: map[string]string{"Mobile": "phone"}}, nil)
	checkApplier(t, m, m.Applier(), [][]source.Prop{
		props("sentiment", "pos", "Mobile", "1", "message_count", "1"),
		props("sentiment", "neg", "Mobile", "2", "message_count", "2"),
		props("message_count", "3", "sentiment", "neu", "Mobile", "3"),
		props("Mobile", "4"),
		props("nonsense", "5", "sentiment", "pos"),
		props("sentiment", "pos", "Mobile", "6", "message_count", "6", "phone", "7"),
		props("sentiment", "pos", "Mobile", "8", "message_count", "8"),
	})
}

// checkApplier maps records one after another through a and, each on its
// own, through m.Apply: the results must be the same.
func checkApplier(t *testing.T, m *Mapper, a *Applier, records [][]source.Prop) {
	t.Helper()
	for i, in := range records {
		want := source.Record{Line: int64(i + 2), ID: "1", Props: slices.Clone(in)}
		m.Apply(&want)
		got := source.Record{Line: int64(i + 2), ID: "1", Props: in}
		a.Apply(&got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("record %d: Applier differs from Apply (-Apply +Applier):\n%s", i, diff)
		}
	}
}

// TestApplierRemembersEveryOption checks that an Applier fed values that
// repeat in turn, as bench/gen writes them, coerces each only once: a value
// it has to coerce again costs two allocations (the copies it keeps).
func TestApplierRemembersEveryOption(t *testing.T) {
	m := mustNew(t, Config{}, []string{"id", "topics", "sentiment", "hs_communication_channel_type", "hubspot_owner_id"})
	a := m.Applier()
	topics := []string{"BILLING", "BILLING;SALES", "FEEDBACK", "SALES", "SUPPORT"}
	others := []string{"neg", "neu", "pos"}
	channels := []string{"LINKEDIN_MESSAGE", "SMS", "WHATS_APP"}
	owners := []string{"1001", "1002", "1003"}
	var records [15][]source.Prop
	for i := range records {
		records[i] = props("topics", topics[i%5], "sentiment", others[i%3],
			"hs_communication_channel_type", channels[i%3], "hubspot_owner_id", owners[i%3])
	}
	buf := make([]source.Prop, 4)
	round := func() {
		for i, in := range records {
			copy(buf, in) // Apply rewrites the record in place
			rec := source.Record{Line: 2, ID: "1", Props: buf}
			a.Apply(&rec)
			if rec.Err != nil {
				t.Fatalf("record %d: %v", i, rec.Err)
			}
		}
	}
	round()
	if n := testing.AllocsPerRun(20, round); n != 0 {
		t.Errorf("%.1f allocations per round of 15 records once every value was seen, want 0", n)
	}
}

// TestColumns checks what a Mapper says it does with each column: a column
// named by its property's label is sent like a renamed one, and the id
// column and the columns a dead-letter file adds are neither sent nor
// dropped by the mapping.
func TestColumns(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		columns     []string
		wantSent    map[string]string
		wantDropped []string
	}{
		{"renamed, by name, by label, dropped, unmapped",
			Config{Columns: map[string]string{"Text": "hs_communication_body", "Secret": "-"}, IgnoreUnmapped: true},
			[]string{"id", "Text", "Channel type", "Secret", "message_count", "zzz", "_error_code"},
			map[string]string{"Text": "hs_communication_body", "Channel type": "hs_communication_channel_type", "message_count": "message_count"},
			[]string{"Secret", "zzz"}},
		{"nothing dropped", Config{}, []string{"id", "Body"}, map[string]string{"Body": "hs_communication_body"}, nil},
		{"jsonl: the keys the config names", Config{Columns: map[string]string{"text": "hs_communication_body", "secret": "-"}}, nil,
			map[string]string{"text": "hs_communication_body"}, []string{"secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent, dropped := mustNew(t, tt.cfg, tt.columns).Columns()
			if diff := cmp.Diff(tt.wantSent, sent); diff != "" {
				t.Errorf("sent (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantDropped, dropped); diff != "" {
				t.Errorf("dropped (-want +got):\n%s", diff)
			}
		})
	}
}
