package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint"
)

// TestLoadJobWordsRefusals: loadJob says which flags get past each
// refusal of checkpoint.Open (whose rules checkpoint tests).
func TestLoadJobWordsRefusals(t *testing.T) {
	last := checkpoint.Input{Path: "/data/export.csv", Size: 100, ModTime: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), Head: "aaaa"}
	tonight := checkpoint.Input{Path: "/data/export.csv", Size: 120, ModTime: time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC), Head: "bbbb"}
	settings := map[string]string{"object": "communications"}
	tests := []struct {
		name     string
		corrupt  bool
		in       checkpoint.Input
		settings map[string]string
		restart  bool
		wantErr  string // a part of the message
	}{
		{"new input, unfinished", false, tonight, settings, false, "--on-new-input restart"},
		{"other settings", false, last, map[string]string{"object": "contacts"}, false,
			`setting object is "contacts", but the checkpoint was written with "communications"; pass --restart to start over, or --checkpoint to use another file`},
		{"corrupt", true, last, settings, false, "move it away and rerun with --restart"},
		{"corrupt, --restart", true, last, settings, true, "with --restart, delete it yourself first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := filepath.Join(t.TempDir(), "export.csv.checkpoint.json")
			st := &checkpoint.State{Version: checkpoint.Version, Input: last, Settings: settings, Watermark: checkpoint.Pos{Offset: 40, Line: 9}}
			if err := checkpoint.Save(cp, st); err != nil {
				t.Fatal(err)
			}
			if tt.corrupt {
				if err := os.WriteFile(cp, []byte("{"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := loadJob(checkpoint.OpenRequest{Path: cp, Input: tt.in, Settings: tt.settings, Restart: tt.restart})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
			}
			var unfinished *unfinishedJobError
			if tt.in == tonight && (!errors.As(err, &unfinished) || !strings.Contains(err.Error(), "every record before line 9")) {
				t.Errorf("error %T %v, want an *unfinishedJobError saying where the job stopped", err, err)
			}
		})
	}
}

func TestCheckJobOptions(t *testing.T) {
	tests := []struct {
		name       string
		onNewInput string
		keep       int
		wantErr    string
	}{
		{"defaults", newInputRefuse, defaultKeepArchives, ""},
		{"restart, keep all", newInputRestart, 0, ""},
		{"unknown policy", "newest", 7, "--on-new-input"},
		{"negative keep", newInputRefuse, -1, "--keep-archives"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := defaultSyncOptions()
			o.OnNewInput, o.KeepArchives = tt.onNewInput, tt.keep
			err := checkJobOptions(o)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want one naming %q", err, tt.wantErr)
			}
		})
	}
}

func TestJobOptionsFromConfig(t *testing.T) {
	o := defaultSyncOptions()
	if err := loadConfig(strings.NewReader("on_new_input: restart\nkeep_archives: 3\n"), &o); err != nil {
		t.Fatal(err)
	}
	if o.OnNewInput != newInputRestart || o.KeepArchives != 3 {
		t.Errorf("on_new_input %q, keep_archives %d; want restart, 3", o.OnNewInput, o.KeepArchives)
	}
}

// TestLockJobRefusesAnotherFile: the lock file is the checkpoint's name
// plus ".lock", which a --checkpoint slip can make the input's name. The
// input must come out untouched.
func TestLockJobRefusesAnotherFile(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "calls.lock")
	const content = "id,hs_communication_body\n1,hi\n"
	if err := os.WriteFile(input, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	o := defaultSyncOptions()
	o.Format, o.Checkpoint = "csv", filepath.Join(dir, "calls")
	l, err := lockJob(o.Checkpoint, o, input, zap.NewNop())
	if err == nil {
		l.Close()
		t.Fatal("lockJob locked the input")
	}
	if !strings.Contains(err.Error(), "--checkpoint") {
		t.Errorf("error %q does not name the flag to change", err)
	}
	if b, _ := os.ReadFile(input); string(b) != content {
		t.Errorf("the input changed: %q", b)
	}
}

// TestArchiveEarlierRefusesLinkedCheckpoint: a new job over a checkpoint
// that is a symbolic link stops with a message about the checkpoint, and
// moves nothing.
func TestArchiveEarlierRefusesLinkedCheckpoint(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	cp := filepath.Join(dir, "export.csv.checkpoint.json")
	st := &checkpoint.State{Version: checkpoint.Version, Watermark: checkpoint.Pos{Line: 1}, Complete: true}
	if err := checkpoint.Save(target, st); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, cp); err != nil {
		t.Fatal(err)
	}
	j, err := checkpoint.Open(checkpoint.OpenRequest{Path: cp, Restart: true})
	if err != nil {
		t.Fatal(err)
	}
	err = archiveEarlier(j, filepath.Join(dir, "export.dead-letter.csv"), 7, zap.NewNop())
	if err == nil || !strings.Contains(err.Error(), "--checkpoint") {
		t.Errorf("error %v, want one saying to name the file with --checkpoint", err)
	}
	if got, _ := filepath.Glob(filepath.Join(dir, "*.prev-*")); len(got) != 0 {
		t.Errorf("moved %q", got)
	}
}
