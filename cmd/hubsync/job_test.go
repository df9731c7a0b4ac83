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

// TestOpenJobDecides covers every way a run decides between resuming the
// job in the checkpoint and starting a new one, without moving a file.
func TestOpenJobDecides(t *testing.T) {
	last := checkpoint.Input{Path: "/data/export.csv", Size: 100, ModTime: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), Head: "aaaa"}
	tonight := checkpoint.Input{Path: "/data/export.csv", Size: 120, ModTime: time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC), Head: "bbbb"}
	settings := map[string]string{"object": "communications"}
	other := map[string]string{"object": "contacts"}
	tests := []struct {
		name       string
		complete   bool
		in         checkpoint.Input
		settings   map[string]string
		restart    bool
		onNewInput string
		wantWhy    replaceReason
		wantResume bool
		wantErr    string // "" none; errComplete's text; or a part of the message
	}{
		{"same input, unfinished: resume", false, last, settings, false, newInputRefuse, replaceNone, true, ""},
		{"same input, finished: complete", true, last, settings, false, newInputRefuse, replaceNone, true, "already complete"},
		{"new input, finished: new job", true, tonight, settings, false, newInputRefuse, replaceFinished, false, ""},
		{"new input, finished, other settings: new job", true, tonight, other, false, newInputRefuse, replaceFinished, false, ""},
		{"new input, unfinished: refused", false, tonight, settings, false, newInputRefuse, replaceNone, false, "--on-new-input restart"},
		{"new input, unfinished, restart policy: new job", false, tonight, settings, false, newInputRestart, replaceUnfinished, false, ""},
		{"same input, other settings, unfinished: refused", false, last, other, false, newInputRestart, replaceNone, false, "setting object"},
		{"same input, other settings, finished: refused", true, last, other, false, newInputRefuse, replaceNone, false, "setting object"},
		{"--restart: new job", false, last, settings, true, newInputRefuse, replaceRestart, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := filepath.Join(t.TempDir(), "export.csv.checkpoint.json")
			st := &checkpoint.State{Version: checkpoint.Version, Input: last, Settings: settings, Watermark: checkpoint.Pos{Offset: 40, Line: 9}, Complete: tt.complete}
			if tt.complete {
				st.Watermark.Offset = last.Size
			}
			if err := checkpoint.Save(cp, st); err != nil {
				t.Fatal(err)
			}
			j, resumed, err := openJob(cp, "dl.csv", tt.in, tt.settings, tt.restart, tt.onNewInput, nil)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
			}
			var unfinished *unfinishedJobError
			if tt.wantErr == "--on-new-input restart" && !errors.As(err, &unfinished) {
				t.Errorf("error %T, want *unfinishedJobError", err)
			}
			if err != nil && !errors.Is(err, errComplete) {
				return
			}
			if resumed != tt.wantResume || j.why != tt.wantWhy {
				t.Errorf("resumed %v, why %d; want %v, %d", resumed, j.why, tt.wantResume, tt.wantWhy)
			}
			if (j.earlier != nil) != (tt.wantWhy != replaceNone) {
				t.Errorf("earlier job noted: %v, want %v", j.earlier != nil, tt.wantWhy != replaceNone)
			}
			if !resumed && (j.state.Input != tt.in || j.state.Watermark != checkpoint.Pos{Line: 1}) {
				t.Errorf("new job state %+v, want input %+v from line 1", j.state, tt.in)
			}
			if got, err := checkpoint.Load(cp); err != nil || got.Input != last {
				t.Errorf("openJob changed the checkpoint file: %+v, %v", got, err)
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
	j := &job{path: cp, earlier: st, why: replaceRestart}
	err := j.archiveEarlier(filepath.Join(dir, "export.dead-letter.csv"), 7, zap.NewNop())
	if err == nil || !strings.Contains(err.Error(), "--checkpoint") {
		t.Errorf("error %v, want one saying to name the file with --checkpoint", err)
	}
	if got, _ := filepath.Glob(filepath.Join(dir, "*.prev-*")); len(got) != 0 {
		t.Errorf("moved %q", got)
	}
}
