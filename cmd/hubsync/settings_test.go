package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/sink/mapping"
)

func TestCheckSettings(t *testing.T) {
	fromFlags := func(f func(*syncOptions), typed ...string) syncOptions {
		o := defaultSyncOptions()
		f(&o)
		o.src.typed = map[string]bool{}
		for _, name := range typed {
			o.src.typed[name] = true
		}
		return o
	}
	fromConfig := func(f func(*syncOptions), keys ...string) syncOptions {
		o := fromFlags(f)
		o.src.configFile = "nightly.yaml"
		o.src.configKeys = map[string]bool{}
		for _, k := range keys {
			o.src.configKeys[k] = true
		}
		return o
	}
	tests := []struct {
		name    string
		o       syncOptions
		wantErr string // "" for none
	}{
		{"defaults", defaultSyncOptions(), ""},
		{"batch 100 rate 250/10s", fromFlags(func(o *syncOptions) { o.Rate = "250/10s" }, "rate"), ""},
		{"no limit", fromFlags(func(o *syncOptions) { o.Rate = "0" }, "rate"), ""},
		{"1000 a second", fromFlags(func(o *syncOptions) { o.Rate = "1000/1s" }, "rate"), ""},
		{"a day", fromFlags(func(o *syncOptions) { o.Rate = "250000/24h" }, "rate"), ""},
		{"batch flag", fromFlags(func(o *syncOptions) { o.BatchSize = 500 }, "batch-size"), "--batch-size 500: HubSpot takes 1 to 100 records"},
		{"batch config", fromConfig(func(o *syncOptions) { o.BatchSize = 500 }, "batch_size"), "batch_size 500 (from nightly.yaml): HubSpot takes 1 to 100"},
		{"flag over config", func() syncOptions {
			o := fromConfig(func(o *syncOptions) { o.BatchSize = 0 }, "batch_size")
			o.src.typed["batch-size"] = true
			return o
		}(), "--batch-size 0:"},
		{"workers", fromFlags(func(o *syncOptions) { o.Workers = 65 }, "workers"), "--workers 65: want 1 to 64"},
		{"rate per second", fromFlags(func(o *syncOptions) { o.Rate = "1001/1s" }, "rate"), "--rate 1001/1s: that is 1001 requests a second"},
		{"rate window", fromFlags(func(o *syncOptions) { o.Rate = "1/99ms" }, "rate"), "--rate 1/99ms: the window must be from 100ms to 24h"},
		{"rate syntax config", fromConfig(func(o *syncOptions) { o.Rate = "fast" }, "rate"), "rate fast (from nightly.yaml): want N/DURATION"},
		{"timeout", fromFlags(func(o *syncOptions) { o.RequestTimeout = "1ms" }, "request-timeout"), "--request-timeout 1ms: want a duration from 1s to 1h0m0s"},
		{"max record bytes", fromFlags(func(o *syncOptions) { o.MaxRecordBytes = 0 }), "--max-record-bytes 0: want 1024 (1 KiB)"},
		{"reserve", fromFlags(func(o *syncOptions) { o.DailyReserve = "lots" }), "--daily-reserve lots: want a number of requests"},
		{"format", fromConfig(func(o *syncOptions) { o.Format = "xml" }, "format"), "format xml (from nightly.yaml): want csv or jsonl"},
		{"empty", fromFlags(func(o *syncOptions) { o.Empty = "null" }), "--empty null: want skip"},
		{"progress", fromFlags(func(o *syncOptions) { o.Progress = "yes" }), "--progress yes: want auto, always or never"},
		{"log format", fromFlags(func(o *syncOptions) { o.LogFormat = "text" }), "--log-format text: want auto, console or json"},
		{"log level", fromConfig(func(o *syncOptions) { o.LogLevel = "loud" }, "log_level"), "log_level loud (from nightly.yaml): want debug"},
		{"quoted when needed", fromFlags(func(o *syncOptions) { o.Rate = "" }), `--rate "": want N/DURATION`},
		{"only changed", fromFlags(func(o *syncOptions) { o.OnlyChanged, o.FullResync, o.RefreshEvery = true, true, 30 }), ""},
		{"full resync alone", fromFlags(func(o *syncOptions) { o.FullResync = true }), "--full-resync true: it rebuilds the sync state of --only-changed"},
		{"refresh alone", fromConfig(func(o *syncOptions) { o.RefreshEvery = 30 }, "refresh_every"), "refresh_every 30 (from nightly.yaml): it re-sends"},
		{"refresh negative", fromFlags(func(o *syncOptions) { o.OnlyChanged, o.RefreshEvery = true, -1 }), "--refresh-every -1: want a number of runs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkSettings(tt.o)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("checkSettings = %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("checkSettings = %v, want an error starting %q", err, tt.wantErr)
			}
		})
	}
}

func TestInUserTerms(t *testing.T) {
	err := errors.New("mapping: mapping.time_zone \"Mars\": unknown time zone Mars\nmapping.date_layouts is empty: list one\nmapping.properties.x.time_zone \"Venus\": unknown")
	tests := []struct {
		name       string
		configKeys []string
		typed      []string
		want       string
	}{
		{"flags", nil, []string{"time-zone", "date-layout"},
			"--time-zone \"Mars\": unknown time zone Mars\n--date-layout is empty: list one\nmapping.properties.x.time_zone \"Venus\": unknown"},
		{"config", []string{"mapping.time_zone", "mapping.date_layouts"}, nil,
			"mapping.time_zone \"Mars\": unknown time zone Mars\nmapping.date_layouts is empty: list one\nmapping.properties.x.time_zone \"Venus\": unknown"},
		{"flag over config", []string{"mapping.time_zone"}, []string{"time-zone"},
			"--time-zone \"Mars\": unknown time zone Mars\n--date-layout is empty: list one\nmapping.properties.x.time_zone \"Venus\": unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := defaultSyncOptions()
			o.src = settingSources{configFile: "c.yaml", configKeys: map[string]bool{}, typed: map[string]bool{}}
			for _, k := range tt.configKeys {
				o.src.configKeys[k] = true
			}
			for _, f := range tt.typed {
				o.src.typed[f] = true
			}
			got := o.inUserTerms(err)
			if got.Error() != tt.want {
				t.Errorf("inUserTerms =\n%s\nwant\n%s", got, tt.want)
			}
			if !errors.Is(got, err) {
				t.Error("the original error is no longer wrapped")
			}
		})
	}
}

func TestRewordPreflight(t *testing.T) {
	pe := &mapping.PreflightError{Problems: []mapping.Problem{
		{Kind: mapping.UnknownProperty, Column: "Body", Property: "hs_body", Message: `mapping.columns maps column "Body" to "hs_body", which is not a property of this object type`},
		{Kind: mapping.MissingColumn, Column: "Gone", Property: "hs_communication_body", Message: `mapping.columns renames column "Gone", which the file does not have`},
		{Kind: mapping.UnknownProperty, Column: "Notes", Property: "notes", Message: `mapping.columns maps column "Notes" to "notes", which is not a property of this object type`},
		{Kind: mapping.BadConstant, Property: "hs_communication_logged_from", Message: `mapping.constants.hs_communication_logged_from: "XYZ" is not an option`},
		{Kind: mapping.UnknownProperty, Property: "hs_x", Message: `mapping.constants sets "hs_x", which is not a property of this object type`},
		{Kind: mapping.UnknownColumn, Column: "Phone no", Message: `column "Phone no" is not a property of this object type; rename it under mapping.columns, drop it with "-", or set mapping.ignore_unmapped`},
		{Kind: mapping.ReadOnly, Column: "hs_object_id", Property: "hs_object_id", Message: `column "hs_object_id" maps to property "hs_object_id", which is read-only and cannot be written; drop it with "-" under mapping.columns`},
	}}
	o := defaultSyncOptions()
	o.MapFlags = []string{"Body=hs_other", "Body=hs_body", "Gone=hs_communication_body"} // the last wins
	o.SetFlags = []string{"hs_communication_logged_from=XYZ", "hs_x=1"}
	err := o.rewordPreflight(usageError{fmt.Errorf("the input does not fit:\n%w", pe)})
	var usage usageError
	if !errors.As(err, &usage) {
		t.Error("the reworded error is no longer a usage error")
	}
	want := []string{
		`--map Body=hs_body maps column "Body" to "hs_body", which is not a property of this object type`,
		`--map Gone=hs_communication_body renames column "Gone", which the file does not have`,
		`mapping.columns maps column "Notes" to "notes", which is not a property of this object type`, // from the config file
		`--set hs_communication_logged_from=XYZ: "XYZ" is not an option`,
		`--set hs_x=1 sets "hs_x", which is not a property of this object type`,
		`column "Phone no" is not a property of this object type; rename it with --map 'Phone no=PROPERTY', drop it with --drop 'Phone no', or pass --ignore-unmapped`,
		`column "hs_object_id" maps to property "hs_object_id", which is read-only and cannot be written; drop it with --drop hs_object_id`,
	}
	got := strings.Split(err.Error(), "\n")[2:]
	for i := range got {
		got[i] = strings.TrimPrefix(got[i], "  ")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestWithFlagSuggestion(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"unknown flag: --batchsize", "unknown flag: --batchsize: did you mean --batch-size?"},
		{"unknown flag: --match-label", "unknown flag: --match-label: did you mean --match-labels?"},
		{"unknown flag: --batch_size", "unknown flag: --batch_size: did you mean --batch-size?"},
		{"unknown flag: --zzzzzzzzzz", "unknown flag: --zzzzzzzzzz"},
		{"unknown shorthand flag: 'x' in -x", "unknown shorthand flag: 'x' in -x"},
	}
	for _, tt := range tests {
		if got := withFlagSuggestion(errors.New(tt.in)); got.Error() != tt.want {
			t.Errorf("withFlagSuggestion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if withFlagSuggestion(nil) != nil {
		t.Error("withFlagSuggestion(nil) is not nil")
	}
}
