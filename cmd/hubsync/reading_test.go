package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/source"
)

func TestReadingOptions(t *testing.T) {
	tests := []struct {
		name      string
		delimiter string
		encoding  string
		format    source.Format
		wantSep   byte
		wantEnc   source.Encoding
		wantErr   bool
		settings  map[string]string // the keys added to a checkpoint's settings
	}{
		{"defaults", "auto", "utf-8", source.CSV, 0, source.UTF8, false, map[string]string{}},
		{"semicolon, windows-1252", ";", "windows-1252", source.CSV, ';', source.Windows1252, false,
			map[string]string{"delimiter": ";", "encoding": "windows-1252"}},
		{"tab, latin-1", "\t", "latin-1", source.CSV, '\t', source.Latin1, false,
			map[string]string{"delimiter": "tab", "encoding": "iso-8859-1"}},
		{"pipe", "|", "utf-8", source.CSV, 0, 0, true, nil},
		{"unknown encoding", "auto", "utf-32", source.CSV, 0, 0, true, nil},
		{"JSON Lines, defaults", "auto", "utf-8", source.JSONL, 0, source.UTF8, false, map[string]string{}},
		{"JSON Lines with a delimiter", ";", "utf-8", source.JSONL, 0, 0, true, nil},
		{"JSON Lines in windows-1252", "auto", "windows-1252", source.JSONL, 0, 0, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := defaultSyncOptions()
			o.Delimiter, o.Encoding = tt.delimiter, tt.encoding
			sep, enc, err := readingOptions(o, tt.format)
			if (err != nil) != tt.wantErr {
				t.Fatalf("readingOptions: err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if sep != tt.wantSep || enc != tt.wantEnc {
				t.Errorf("readingOptions = %q, %v; want %q, %v", sep, enc, tt.wantSep, tt.wantEnc)
			}
			got := map[string]string{}
			addReadingSettings(got, o)
			if diff := cmp.Diff(tt.settings, got); diff != "" {
				t.Errorf("settings (-want +got):\n%s", diff)
			}
		})
	}
}
