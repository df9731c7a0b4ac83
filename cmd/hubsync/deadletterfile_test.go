package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/hubsync/hubsync/checkpoint"
)

func TestCheckDeadLetterFile(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no file identity on this system")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "failed.csv")
	write := func(p string) *checkpoint.FileID {
		t.Helper()
		if err := os.WriteFile(p, []byte("id,_error_code,_error_message,_source_line\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		info, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		return checkpoint.IdentifyFile(info)
	}
	jobs := write(path)
	others := write(filepath.Join(dir, "other.csv"))
	tests := []struct {
		name    string
		path    string // the dead-letter path of this run
		id      *checkpoint.FileID
		dead    int64
		refused bool
	}{
		{name: "the job's file", path: path, id: jobs, dead: 3},
		{name: "another file at the path", path: path, id: others, dead: 3, refused: true},
		{name: "another file, no dead letters yet", path: path, id: others, refused: true},
		{name: "old checkpoint without identity", path: path, dead: 3},
		{name: "missing with dead letters", path: filepath.Join(dir, "gone.csv"), id: jobs, dead: 3, refused: true},
		{name: "missing without dead letters", path: filepath.Join(dir, "gone.csv"), id: jobs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &checkpoint.State{DeadLetterPath: tt.path, DeadLetterFile: tt.id, Counts: checkpoint.Counts{DeadLettered: tt.dead}}
			err := checkDeadLetterFile(st, tt.path)
			var refusal *deadLetterFileError
			if got := errors.As(err, &refusal); got != tt.refused {
				t.Errorf("checkDeadLetterFile = %v, want refused %v", err, tt.refused)
			}
		})
	}
}
