package mapping

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // one fragment per expected problem, in order; nil = valid
	}{
		{"zero value", Config{}, nil},
		{"everything set", Config{
			Empty: "Clear", ThousandsSeparator: ".", DecimalComma: true, TimeZone: "America/New_York",
			DateLayouts: []string{"02.01.2006"}, DateTimeLayouts: []string{"02.01.2006 15:04", "2006-01-02T15:04:05Z07:00", EpochMillis},
			MultiSeparator: ",", MatchLabels: true,
			Properties: map[string]PropertyConfig{"x": {Empty: "skip", ThousandsSeparator: ptr(" "), DecimalComma: ptr(false), TimeZone: "UTC"}},
		}, nil},
		{"unknown empty mode", Config{Empty: "null"}, []string{"mapping.empty"}},
		{"unknown time zone", Config{TimeZone: "Europe/Berln"}, []string{"mapping.time_zone"}},
		{"Local time zone", Config{TimeZone: "Local"}, []string{"mapping.time_zone"}},
		{"empty date layouts", Config{DateLayouts: []string{}}, []string{"mapping.date_layouts is empty"}},
		{"YYYY layout", Config{DateLayouts: []string{"YYYY-MM-DD"}}, []string{"mapping.date_layouts"}},
		{"datetime layout without time", Config{DateTimeLayouts: []string{"2006-01-02"}}, []string{"mapping.datetime_layouts"}},
		{"12-hour clock without PM", Config{DateTimeLayouts: []string{"2006-01-02 3:04"}}, []string{"mapping.datetime_layouts"}},
		{"zone abbreviation", Config{DateTimeLayouts: []string{"2006-01-02 15:04 MST"}}, []string{"abbreviations"}},
		{"thousands separator is the decimal point", Config{ThousandsSeparator: "."}, []string{"mapping.thousands_separator"}},
		{"thousands separator is the decimal comma", Config{ThousandsSeparator: ",", DecimalComma: true}, []string{"mapping.thousands_separator"}},
		{"digit separator", Config{ThousandsSeparator: "0"}, []string{"mapping.thousands_separator"}},
		{"empty column name", Config{Columns: map[string]string{"": "x"}}, []string{"mapping.columns"}},
		{"empty target", Config{Columns: map[string]string{"a": " "}}, []string{"mapping.columns.a"}},
		{"override problems", Config{Properties: map[string]PropertyConfig{
			"p": {Empty: "nothing", TimeZone: "Mars/Olympus", DateTimeLayouts: []string{}, DecimalComma: ptr(true)},
		}}, []string{"mapping.properties.p.empty", "mapping.properties.p.datetime_layouts", "mapping.properties.p.time_zone"}},
		{"override decimal comma clashes with global separator", Config{ThousandsSeparator: ",", Properties: map[string]PropertyConfig{
			"p": {DecimalComma: ptr(true)}}}, []string{"mapping.properties.p.thousands_separator"}},
		{"all reported", Config{Empty: "x", TimeZone: "nowhere", DateLayouts: []string{}},
			[]string{"mapping.empty", "mapping.date_layouts", "mapping.time_zone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Validate() = %v, want %d problems %q", err, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to name %q", i, got[i], w)
				}
			}
		})
	}
}

func TestConfigYAML(t *testing.T) {
	const doc = `
columns:
  Phone Number: phone
  Notes: "-"
constants:
  hs_communication_logged_from: CRM
ignore_unmapped: true
empty: clear
thousands_separator: ","
decimal_comma: false
date_layouts: ["02/01/2006"]
datetime_layouts: ["2006-01-02 15:04", epoch_ms]
time_zone: Europe/Berlin
match_labels: true
multi_separator: ","
properties:
  message_count:
    empty: skip
    thousands_separator: ""
    decimal_comma: true
    match_labels: false
    date_layouts: ["2006-01-02"]
    datetime_layouts: ["2006-01-02T15:04:05Z07:00"]
    time_zone: UTC
    multi_separator: "|"
`
	var got Config
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	want := Config{
		Columns:            map[string]string{"Phone Number": "phone", "Notes": "-"},
		Constants:          map[string]string{"hs_communication_logged_from": "CRM"},
		IgnoreUnmapped:     true,
		Empty:              "clear",
		ThousandsSeparator: ",",
		DateLayouts:        []string{"02/01/2006"},
		DateTimeLayouts:    []string{"2006-01-02 15:04", EpochMillis},
		TimeZone:           "Europe/Berlin",
		MatchLabels:        true,
		MultiSeparator:     ",",
		Properties: map[string]PropertyConfig{"message_count": {
			Empty: "skip", ThousandsSeparator: ptr(""), DecimalComma: ptr(true), MatchLabels: ptr(false),
			DateLayouts: []string{"2006-01-02"}, DateTimeLayouts: []string{"2006-01-02T15:04:05Z07:00"},
			TimeZone: "UTC", MultiSeparator: "|",
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded config (-want +got):\n%s", diff)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}
