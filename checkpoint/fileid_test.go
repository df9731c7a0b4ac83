package checkpoint

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The identity follows the file through a rename (as MoveAside archives
// it), and a new file put at its path has another: what a resume needs to
// tell the job's dead-letter file from one another job started.
func TestIdentifyFile(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no file identity on this system")
	}
	dir := t.TempDir()
	path, moved := filepath.Join(dir, "failed.csv"), filepath.Join(dir, "failed.csv.prev-x")
	stat := func(p string) *FileID {
		t.Helper()
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		id := IdentifyFile(info)
		if id == nil {
			t.Fatalf("IdentifyFile(%s) = nil", p)
		}
		return id
	}
	if err := os.WriteFile(path, []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	orig := stat(path)
	if err := os.Rename(path, moved); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(orig, stat(moved)); diff != "" {
		t.Errorf("identity after a rename (-before +after):\n%s", diff)
	}
	if err := os.WriteFile(path, []byte("b"), 0o600); err != nil {
		t.Fatal(err)
	}
	if *stat(path) == *orig {
		t.Errorf("a new file at %s has the identity of the one moved away: %+v", path, orig)
	}
}

// A checkpoint keeps the identity, and one written before it existed loads
// with none.
func TestDeadLetterFileRoundTrip(t *testing.T) {
	for _, id := range []*FileID{nil, {Dev: 66306, Ino: 1234567}} {
		path := filepath.Join(t.TempDir(), "job.checkpoint.json")
		want := sampleState()
		want.DeadLetterFile = id
		if err := Save(path, want); err != nil {
			t.Fatal(err)
		}
		got, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("loaded state (-want +got):\n%s", diff)
		}
	}
}
