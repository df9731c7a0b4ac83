package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubsync/hubsync/emulator"
)

// TestNoRecords runs inputs that hold no record: each must end with status
// 5, never 0, since an export that failed may have left just that; a job
// that held records and is run again once complete is not such a case.
func TestNoRecords(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	tests := []struct {
		name, file, content string
		args                []string
		runs                int // runs of the same command; all must end alike
		want                int
	}{
		{name: "empty jsonl", file: "in.jsonl", content: "", runs: 2, want: exitNoRecords},
		{name: "blank jsonl", file: "in.jsonl", content: "\n  \n\t\r\n", want: exitNoRecords},
		{name: "header-only csv", file: "in.csv", content: "id,hs_communication_body\n", runs: 2, want: exitNoRecords},
		{name: "empty csv", file: "in.csv", content: "", want: exitNoRecords},
		{name: "dry run of an empty jsonl", file: "in.jsonl", content: "", args: []string{"--dry-run"}, want: exitNoRecords},
		{name: "dry run of a header-only csv", file: "in.csv", content: "id,hs_communication_body\n", args: []string{"--dry-run"}, want: exitNoRecords},
		{name: "complete job run again", file: "in.csv", content: "id,hs_communication_body\n1,hi\n", runs: 2, want: exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := filepath.Join(t.TempDir(), tt.file)
			if err := writeFile(input, tt.content); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--log-format", "json"}, tt.args...)
			for run := range max(tt.runs, 1) {
				res := runHubsync(t, append(args, input)...)
				if res.code != tt.want {
					t.Fatalf("run %d: exit status %d, want %d; stderr:\n%s", run+1, res.code, tt.want, tail(res.stderr))
				}
				if tt.want == exitNoRecords && !strings.Contains(res.stderr, "the input held no records") {
					t.Errorf("run %d: stderr does not say the input held no records:\n%s", run+1, tail(res.stderr))
				}
			}
		})
	}
}
