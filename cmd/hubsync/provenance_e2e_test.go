package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
)

// TestReportProvenance checks what a report says of where it came from:
// the binary, a run id of its own per run, the host, the absolute paths
// and the mapping the run used.
func TestReportProvenance(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	dir := t.TempDir()
	input := filepath.Join(dir, "calls.csv")
	if err := writeFile(input, "id,Body,hs_communication_channel_type,Notes,_error_code\n1,hi,SMS,x,\n2,yo,SMS,y,\n"); err != nil {
		t.Fatal(err)
	}
	reportPath := filepath.Join(dir, "out", "last.json")
	if err := os.Mkdir(filepath.Dir(reportPath), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"sync", "--base-url", url, "--object", "communications", "--log-format", "json", "--map", "Body=hs_communication_body",
		"--set", "hs_communication_logged_from=CRM", "--ignore-unmapped", "--report", reportPath, "--restart", "calls.csv"}
	runIn := func() runReport {
		cmd := runHubsyncIn(t, dir, args...)
		if cmd.code != exitOK {
			t.Fatalf("exit status %d\n%s", cmd.code, tail(cmd.stderr))
		}
		return readReport(t, reportPath)
	}
	r := runIn()
	host, _ := os.Hostname()
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !uuidRE.MatchString(r.RunID) || r.Host != host || r.Hubsync.Version == "" || r.Hubsync.GoVersion == "" {
		t.Errorf("run id %q, host %q (want %q), hubsync %+v", r.RunID, r.Host, host, r.Hubsync)
	}
	wantPaths := reportPaths{Input: input, Checkpoint: input + ".checkpoint.json", DeadLetter: filepath.Join(dir, "calls.dead-letter.csv"), Report: reportPath}
	if diff := cmp.Diff(wantPaths, r.Paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	wantMapping := &reportMapping{
		Columns:   map[string]string{"Body": "hs_communication_body", "hs_communication_channel_type": "hs_communication_channel_type"},
		Constants: map[string]string{"hs_communication_logged_from": "CRM"}, Ignored: []string{"Notes", "_error_code"},
		IgnoreUnmapped: true, Preflight: true,
	}
	if diff := cmp.Diff(wantMapping, r.Mapping, cmp.AllowUnexported(reportMapping{})); diff != "" {
		t.Errorf("mapping (-want +got):\n%s", diff)
	}
	if again := runIn(); again.RunID == r.RunID {
		t.Errorf("two runs share the run id %s", r.RunID)
	}
}

// runHubsyncIn runs the binary as runHubsync does, in the folder dir.
func runHubsyncIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	defer os.Chdir(wd)
	return runHubsync(t, args...)
}

// TestReportOfHubSpotExport checks the report of a file shaped like
// HubSpot's export, real and dry: the ids come from its Record ID column,
// and its columns named by labels are sent, not ignored.
func TestReportOfHubSpotExport(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"sync", nil},
		{"dry run", []string{"--dry-run"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, url := startEmulator(t, emulator.Config{SeedIDs: 5})
			path := copyFixture(t, "communications-utf8.csv")
			reportPath := filepath.Join(filepath.Dir(path), "report.json")
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--report", reportPath}, tt.args...)
			res := runHubsync(t, append(args, path)...)
			if res.code != exitDeadLetters {
				t.Fatalf("exit status %d, want %d\n%s", res.code, exitDeadLetters, tail(res.stderr))
			}
			r := readReport(t, reportPath)
			if r.Settings.IDColumn != "Record ID" {
				t.Errorf("settings.id_column = %q, want %q", r.Settings.IDColumn, "Record ID")
			}
			want := &reportMapping{Columns: map[string]string{"Body": "hs_communication_body", "Channel type": "hs_communication_channel_type",
				"Message count": "message_count", "Follow-up date": "follow_up_date"}, Preflight: true}
			if diff := cmp.Diff(want, r.Mapping, cmp.AllowUnexported(reportMapping{})); diff != "" {
				t.Errorf("mapping (-want +got):\n%s", diff)
			}
		})
	}
}
