package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
)

// copyFixture copies testdata/exports/name into a fresh folder, so that
// the run's checkpoint and dead-letter file land beside it.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "exports", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHubSpotExportLoadsAsItIs syncs files shaped like HubSpot's own
// exports, with no flag about their shape: the ids come from "Record ID",
// the columns named by labels reach their properties, and a row with three
// bad values is dead-lettered with all three.
func TestHubSpotExportLoadsAsItIs(t *testing.T) {
	tests := []struct {
		fixture  string
		args     []string
		wantBody string
		wantLog  []string
	}{
		{"communications-utf8.csv", nil, "Left a voicemail", nil},
		{"communications-semicolon-windows1252.csv", []string{"--encoding", "windows-1252"}, "Left a voicemail; 10 € – Café",
			[]string{`"delimiter":";"`}},
		{"communications-tab-utf16le.csv", nil, "Left a voicemail 👍 – Café",
			[]string{`"delimiter":"tab"`, `"encoding":"utf-16"`}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Config{SeedIDs: 5})
			path := copyFixture(t, tt.fixture)
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--log-format", "json"}, tt.args...)
			res := runHubsync(t, append(args, path)...)
			if res.code != exitDeadLetters {
				t.Fatalf("exit status %d, want %d\n%s", res.code, exitDeadLetters, tail(res.stderr))
			}
			for _, want := range append([]string{
				`"id_column":"Record ID"`,
				`"column":"Body","property":"hs_communication_body"`,
				`"column":"Channel type","property":"hs_communication_channel_type"`,
			}, tt.wantLog...) {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("the log does not say %s\n%s", want, tail(res.stderr))
				}
			}
			got, _ := srv.Record("communications", "1")
			want := map[string]string{"hs_communication_body": tt.wantBody, "hs_communication_channel_type": "SMS",
				"message_count": "3", "follow_up_date": "2024-02-29"}
			for k := range got {
				if _, keep := want[k]; !keep {
					delete(got, k)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("record 1 (-want +got):\n%s", diff)
			}
			dl, err := os.ReadFile(strings.TrimSuffix(path, ".csv") + ".dead-letter.csv")
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Spoke to Zoë", ",INVALID_OPTION,", "3 problems: INVALID_OPTION: ", "; INVALID_NUMBER: ", "; INVALID_DATE: "} {
				if !strings.Contains(string(dl), want) {
					t.Errorf("the dead-letter file lacks %q:\n%s", want, dl)
				}
			}
		})
	}
}

// TestIDColumnNotGuessed checks the cases where the id column is not taken
// from the file: --id-column or id_column named one, or the export has two
// columns that could hold the id.
func TestIDColumnNotGuessed(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "nightly.yaml")
	if err := os.WriteFile(config, []byte("object: communications\nid_column: id\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, content string
		args          []string
		want          string
	}{
		{"--id-column given", "Record ID,Body\n1,hi\n", []string{"--id-column", "id"}, `no column named "id"`},
		{"id_column in the config", "Record ID,Body\n1,hi\n", []string{"--config", config}, `no column named "id"`},
		{"two candidates", "Record ID,hs_object_id,Body\n1,1,hi\n", nil,
			`both "Record ID" and "hs_object_id" could hold the record id: pass --id-column`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Config{SeedIDs: 5})
			path := writeInput(t, "export.csv", tt.content)
			args := append([]string{"sync", "--base-url", url, "--object", "communications"}, tt.args...)
			res := runHubsync(t, append(args, path)...)
			if res.code != exitUsage {
				t.Fatalf("exit status %d, want %d\n%s", res.code, exitUsage, tail(res.stderr))
			}
			if !strings.Contains(res.stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, res.stderr)
			}
			if r, ok := srv.Record("communications", "1"); ok && r["hs_communication_body"] == "hi" {
				t.Errorf("record 1 was written")
			}
		})
	}
}
