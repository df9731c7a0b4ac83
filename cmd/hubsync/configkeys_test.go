package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConfigKeysAdvice(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // lines of the error, in order; nil for none
	}{
		{"known keys", "object: contacts\nbatch_size: 50\nmapping:\n  match_labels: true\n  properties:\n    x: {time_zone: UTC}\n", nil},
		{"typo", "batchsize: 50\n", []string{"line 1: unknown key batchsize: did you mean batch_size?"}},
		{"flag spelling", "batch-size: 50\n", []string{"line 1: unknown key batch-size: did you mean batch_size? (config keys are lower case, with _ where flags have -)"}},
		{"mapping key at the top", "object: x\nmatch_labels: true\n", []string{"line 2: unknown key match_labels: it belongs under mapping: (mapping.match_labels)"}},
		{"nested typo", "mapping:\n  time_zon: UTC\n", []string{"line 2: unknown key mapping.time_zon: did you mean mapping.time_zone?"}},
		{"property setting typo", "mapping:\n  properties:\n    d:\n      date_layout: [a]\n",
			[]string{"line 4: unknown key mapping.properties.d.date_layout: did you mean mapping.properties.d.date_layouts?"}},
		{"flag only", "restart: true\n", []string{"line 1: unknown key restart: --restart is a flag only, so that a config file can never discard progress"}},
		{"token", "token: pat-1\n", []string{"line 1: unknown key token: the token is never read from a config file: set HUBSPOT_ACCESS_TOKEN, or token_file"}},
		{"nothing close", "zzzzzzzz: 1\nobject: x\n", []string{"line 1: unknown key zzzzzzzz (known keys here: base_url, batch_size, checkpoint, daily_reserve, dead_letter, delimiter, empty, encoding, format, full_resync, id_column, id_property, keep_archives, log_format, log_level, mapping, max_dead_letters, max_record_bytes, no_preflight, object, on_new_input, only_changed, progress, rate, refresh_every, report, request_timeout, state_dir, token_file, workers)"}},
		{"wrong kind", "workers: many\nno_preflight: maybe\n", []string{`line 1: workers: "many": want a whole number`, `line 2: no_preflight: "maybe": want true or false`}},
		{"every problem at once", "batchsize: 1\nworker: 2\n", []string{"line 1: unknown key batchsize: did you mean batch_size?", "line 2: unknown key worker: did you mean workers?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := defaultSyncOptions()
			err := loadConfig(strings.NewReader(tt.text), &o)
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("loadConfig error lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigKeysRecorded(t *testing.T) {
	o := defaultSyncOptions()
	text := "object: contacts\nworkers: 2\nmapping:\n  match_labels: true\n  columns: {Name: firstname}\n"
	if err := loadConfig(strings.NewReader(text), &o); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"object": true, "workers": true, "mapping": true, "mapping.match_labels": true,
		"mapping.columns": true, "mapping.columns.Name": true}
	if diff := cmp.Diff(want, o.src.configKeys); diff != "" {
		t.Errorf("config keys (-want +got):\n%s", diff)
	}
}
