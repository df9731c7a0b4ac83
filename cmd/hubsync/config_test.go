package main

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hubsync/hubsync/configs"
	"github.com/hubsync/hubsync/source"
)

// TestExampleConfigsLoad loads every example config shipped in configs/, so
// that none of them rots.
func TestExampleConfigsLoad(t *testing.T) {
	names, err := fs.Glob(configs.FS, "*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no example configs found: %v", err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			f, err := configs.FS.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			o := defaultSyncOptions()
			if err := loadConfig(f, &o); err != nil {
				t.Fatalf("load: %v", err)
			}
			if o.Object == "" {
				t.Error("object is not set")
			}
			if _, err := parseRate(o.Rate); err != nil {
				t.Errorf("rate: %v", err)
			}
			if o.BatchSize < 1 || o.BatchSize > 100 {
				t.Errorf("batch_size %d out of range", o.BatchSize)
			}
		})
	}
}

// TestExampleConfigsCommentedKeys uncomments the keys the examples show
// commented out ("# keep_archives: 7"), so that a reader who uncomments one
// gets a config that loads; those the examples call defaults must be.
func TestExampleConfigsCommentedKeys(t *testing.T) {
	commented := regexp.MustCompile(`(?m)^# ([a-z_]+: \S.*)$`)
	for _, name := range []string{"communications.yaml"} {
		t.Run(name, func(t *testing.T) {
			data, err := fs.ReadFile(configs.FS, name)
			if err != nil {
				t.Fatal(err)
			}
			uncommented := commented.ReplaceAllString(string(data), "$1")
			for _, key := range []string{"on_new_input:", "keep_archives:", "max_dead_letters:"} {
				if !strings.Contains(uncommented, "\n"+key) {
					t.Errorf("%s does not show %s", name, key)
				}
			}
			o := defaultSyncOptions()
			if err := loadConfig(strings.NewReader(uncommented), &o); err != nil {
				t.Fatalf("load with the keys uncommented: %v", err)
			}
			want := defaultSyncOptions()
			if o.OnNewInput != want.OnNewInput || o.KeepArchives != want.KeepArchives || o.MaxDeadLetters != want.MaxDeadLetters {
				t.Errorf("on_new_input %q, keep_archives %d, max_dead_letters %q; want the defaults %q, %d, %q",
					o.OnNewInput, o.KeepArchives, o.MaxDeadLetters, want.OnNewInput, want.KeepArchives, want.MaxDeadLetters)
			}
			if !o.OnlyChanged || o.RefreshEvery != 30 {
				t.Errorf("only_changed %v, refresh_every %d; want the nightly example to send only what changed, and to show refresh_every 30",
					o.OnlyChanged, o.RefreshEvery)
			}
		})
	}
}

func TestLoadConfigRejectsUnknownKeys(t *testing.T) {
	o := defaultSyncOptions()
	err := loadConfig(strings.NewReader("object: contacts\nbatchsize: 50\n"), &o)
	if err == nil || !strings.Contains(err.Error(), "batchsize") {
		t.Fatalf("loadConfig = %v, want an error naming the unknown key", err)
	}
}

func TestParseSyncArgsFlagsOverrideConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := dir + "/c.yaml"
	if err := writeFile(cfg, "object: contacts\nworkers: 2\nrate: 20/1s\n"); err != nil {
		t.Fatal(err)
	}
	o, file, err := parseSyncArgs([]string{"--config", cfg, "in.csv", "--workers", "7"}, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	if o.Object != "contacts" || o.Workers != 7 || o.Rate != "20/1s" || file != "in.csv" {
		t.Errorf("got object %q workers %d rate %q file %q; want contacts, 7 (flag wins), 20/1s, in.csv",
			o.Object, o.Workers, o.Rate, file)
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		n       int
		window  time.Duration
		wantErr bool
	}{
		{"100/10s", 100, 10 * time.Second, false},
		{"20/1s", 20, time.Second, false},
		{"190/10s", 190, 10 * time.Second, false},
		{"5/s", 5, time.Second, false},
		{"0", 0, 0, false},
		{"100", 0, 0, true},
		{"-1/1s", 0, 0, true},
		{"10/0s", 0, 0, true},
		{"ten/1s", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseRate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseRate(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got.N != tt.n || got.Window != tt.window {
				t.Errorf("parseRate(%q) = %d/%v, want %d/%v", tt.in, got.N, got.Window, tt.n, tt.window)
			}
		})
	}
}

func TestDefaultPaths(t *testing.T) {
	if got := defaultDeadLetterPath("/d/calls.csv", source.CSV); got != "/d/calls.dead-letter.csv" {
		t.Errorf("csv dead letters at %s", got)
	}
	if got := defaultDeadLetterPath("/d/people.ndjson", source.JSONL); got != "/d/people.dead-letter.jsonl" {
		t.Errorf("jsonl dead letters at %s", got)
	}
}

func TestRateFlagString(t *testing.T) {
	for in, want := range map[string]string{"100/10s": "100/10s", "5/1m": "5/1m", "3/1h": "3/1h", "7/90m": "7/1h30m", "2/500ms": "2/500ms", "0": "0"} {
		r, err := parseRate(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.String(); got != want {
			t.Errorf("parseRate(%q).String() = %q, want %q", in, got, want)
		}
	}
}

func TestLoadConfigRefuses(t *testing.T) {
	tests := []struct {
		name, text string
		wantErr    string // "" for none
	}{
		{"one document", "object: contacts\n", ""},
		{"leading marker", "---\nobject: contacts\n", ""},
		{"trailing marker", "object: contacts\n---\n", ""},
		{"end marker", "object: contacts\n...\n", ""},
		{"empty", "", ""},
		{"at the limit", "object: contacts\n" + strings.Repeat("#", maxConfigBytes-len("object: contacts\n")), ""},
		{"two documents", "object: contacts\n---\nworkers: 2\n", "line 2: a second YAML document"},
		{"over 1 MiB", "object: contacts\n" + strings.Repeat("#", maxConfigBytes), "over 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := defaultSyncOptions()
			err := loadConfig(strings.NewReader(tt.text), &o)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("error %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
