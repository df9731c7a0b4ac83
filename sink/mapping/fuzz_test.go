package mapping

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// FuzzApply feeds two values to Apply under several configurations. Apply
// must not panic; a refused record must keep its Props; every value of an
// accepted record must pass validWire, which mirrors the emulator's rules.
func FuzzApply(f *testing.F) {
	var writable []string
	for _, p := range testProps {
		if !p.ReadOnly() {
			writable = append(writable, p.Name)
		}
	}
	keys := append(slices.Clone(writable), "hs_object_id", "Unknown", "_error")
	configs := []struct {
		cfg     Config
		columns []string
	}{
		{Config{}, append([]string{"id"}, writable...)},
		{Config{Empty: "clear", MatchLabels: true, ThousandsSeparator: ",", MultiSeparator: ",", TimeZone: "Europe/Berlin"},
			append([]string{"id"}, writable...)},
		{Config{DecimalComma: true, ThousandsSeparator: " ", TimeZone: "America/New_York",
			DateLayouts:     []string{"02.01.2006", "2006-01-02 15:04", EpochMillis},
			DateTimeLayouts: []string{"02.01.2006 15:04:05", "2006-01-02T15:04:05.999Z07:00", EpochMillis}}, nil},
		{Config{IgnoreUnmapped: true, Columns: map[string]string{"Unknown": "phone"}, Constants: map[string]string{"sentiment": "Neu"}}, nil},
	}
	mappers := make([]*Mapper, len(configs))
	for i, c := range configs {
		mappers[i] = mustNew(f, c.cfg, c.columns)
	}
	byName := make(map[string]*sink.Property)
	for i := range testProps {
		byName[testProps[i].Name] = &testProps[i]
	}
	for _, s := range []struct {
		a, b   string
		va, vb string
	}{
		{"message_count", "is_priority", "1,234.5", "Yes"},
		{"follow_up_date", "last_reply_at", "2024-02-29", "2024-10-27 02:30"},
		{"tags", "sentiment", ";a, b", "Positive"},
		{"hs_communication_body", "phone", "\ufeff x \u200b", "\u00a0+49\u00a030"},
		{"hs_timestamp", "follow_up_date", "1714557600000", "1430438400000"},
		{"message_count", "tags", "1 234,5e-3", ",,"},
		{"last_reply_at", "hs_timestamp", "31.03.2024 02:30:00", "9999-12-31T23:59:59.999-01:00"},
	} {
		for m := range mappers {
			f.Add(uint8(m), uint8(slices.Index(keys, s.a)), s.va, uint8(slices.Index(keys, s.b)), s.vb)
		}
	}
	f.Fuzz(func(t *testing.T, mi, ka uint8, va string, kb uint8, vb string) {
		m := mappers[int(mi)%len(mappers)]
		in := []source.Prop{{Name: keys[int(ka)%len(keys)], Value: va}}
		if b := keys[int(kb)%len(keys)]; b != in[0].Name {
			in = append(in, source.Prop{Name: b, Value: vb})
		}
		if m.ordered != nil { // CSV readers never yield unknown columns
			in = slices.DeleteFunc(in, func(p source.Prop) bool { return m.byName[p.Name] == nil })
		}
		was := slices.Clone(in)
		rec := source.Record{Line: 9, Props: in}
		m.Apply(&rec)
		// An Applier gives the same, whatever its memo holds: here the
		// values of the record itself, then the other value of each pair.
		a := m.Applier()
		seq := [][]source.Prop{slices.Clone(was), slices.Clone(was)}
		if len(was) > 0 {
			seq = slices.Insert(seq, 1, []source.Prop{{Name: was[0].Name, Value: vb}})
		}
		for _, props := range seq {
			want := source.Record{Line: 9, Props: slices.Clone(props)}
			m.Apply(&want)
			got := source.Record{Line: 9, Props: props}
			a.Apply(&got)
			if !slices.Equal(got.Props, want.Props) || (got.Err == nil) != (want.Err == nil) ||
				(got.Err != nil && *got.Err != *want.Err) {
				t.Fatalf("Applier: %v, %v; Apply: %v, %v", got.Props, got.Err, want.Props, want.Err)
			}
		}
		if rec.Err != nil {
			if !slices.Equal(rec.Props, was) {
				t.Fatalf("refused record's Props changed: %v → %v", was, rec.Props)
			}
			if !strings.HasPrefix(rec.Err.Message, "line 9: ") {
				t.Fatalf("message %q lacks the line", rec.Err.Message)
			}
			return
		}
		seen := make(map[string]bool)
		for _, p := range rec.Props {
			if seen[p.Name] {
				t.Fatalf("property %q sent twice: %v", p.Name, rec.Props)
			}
			seen[p.Name] = true
			def := byName[p.Name]
			if def == nil || def.ReadOnly() {
				t.Fatalf("sent %q, which is not a writable property", p.Name)
			}
			if why := validWire(def, p.Value); why != "" {
				t.Fatalf("%v → %s = %q: %s", was, p.Name, p.Value, why)
			}
		}
	})
}

// validWire mirrors the emulator's checkProperty for a writable property,
// plus the forms this package promises (dates as YYYY-MM-DD, datetimes as
// UTC milliseconds). It returns "" for a valid value.
func validWire(p *sink.Property, v string) string {
	if v == "" {
		return ""
	}
	switch p.Type {
	case "number":
		if !isNumberEmulator(v) {
			return "not a number"
		}
	case "bool":
		if v != "true" && v != "false" {
			return "not true or false"
		}
	case "date":
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return "not YYYY-MM-DD"
		}
	case "datetime":
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil || len(v) != len(wireDateTime) || !strings.HasSuffix(v, "Z") {
			return "not an RFC 3339 UTC time with milliseconds"
		}
	case "enumeration":
		parts := []string{v}
		if p.FieldType == "checkbox" {
			parts = strings.Split(strings.TrimPrefix(v, ";"), ";")
		}
		for _, part := range parts {
			if !slices.ContainsFunc(p.Options, func(o sink.Option) bool { return o.Value == part }) {
				return "not an option: " + strconv.Quote(part)
			}
		}
	default:
		if utf8.RuneCountInString(v) > MaxValueLength {
			return "too long"
		}
		if trimInvisible(v) != v {
			return "not trimmed"
		}
	}
	return ""
}

// isNumberEmulator is the emulator's isNumber: optional sign, digits, an
// optional point with digits on both sides, an optional exponent.
func isNumberEmulator(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > j
	}
	if !digits() {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}
