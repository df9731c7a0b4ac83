package deadletter

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/source"
)

// TestMoveAsideKeepsEveryFile moves dead-letter files aside three times in
// one second, once onto a name a stray file already holds: every file must
// survive under a name of its own.
func TestMoveAsideKeepsEveryFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "calls.dead-letter.csv")
	now := time.Date(2026, 12, 2, 14, 30, 5, 0, time.UTC)
	base := path + ".prev-20261202T143005Z"
	mustWrite(t, base+"-3", "stray\n")
	var moved []string
	for _, content := range []string{"first run\n", "second run\n", "third run\n"} {
		mustWrite(t, path, content)
		to, err := moveAside(path, now)
		if err != nil {
			t.Fatal(err)
		}
		moved = append(moved, to)
	}
	want := map[string]string{
		"calls.dead-letter.csv.prev-20261202T143005Z":   "first run\n",
		"calls.dead-letter.csv.prev-20261202T143005Z-2": "second run\n",
		"calls.dead-letter.csv.prev-20261202T143005Z-3": "stray\n",
		"calls.dead-letter.csv.prev-20261202T143005Z-4": "third run\n",
	}
	if diff := cmp.Diff(want, readDir(t, dir)); diff != "" {
		t.Errorf("files after three moves (-want +got):\n%s", diff)
	}
	wantMoved := []string{base, base + "-2", base + "-4"}
	if diff := cmp.Diff(wantMoved, moved); diff != "" {
		t.Errorf("names returned (-want +got):\n%s", diff)
	}
}

// TestMoveAsideOnlyRegularFiles checks what MoveAside leaves where it is:
// nothing to move, or something that is not a regular file.
func TestMoveAsideOnlyRegularFiles(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string)
		wantErr error // nil: nothing moved, no error
	}{
		{"missing", func(t *testing.T, path string) {}, nil},
		{"empty", func(t *testing.T, path string) { mustWrite(t, path, "") }, nil},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, ErrNotRegular},
		{"symbolic link", func(t *testing.T, path string) {
			target := filepath.Join(filepath.Dir(path), "target.csv")
			mustWrite(t, target, "not mine\n")
			mustSymlink(t, target, path)
		}, ErrNotRegular},
		{"named pipe", func(t *testing.T, path string) { mustMkfifo(t, path) }, ErrNotRegular},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "dead.csv")
			tt.setup(t, path)
			before := readDir(t, dir)
			to, err := MoveAside(path)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("MoveAside: %v, want %v", err, tt.wantErr)
			}
			if to != "" {
				t.Errorf("moved to %s, want nothing moved", to)
			}
			if diff := cmp.Diff(before, readDir(t, dir)); diff != "" {
				t.Errorf("the folder changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestOpenOnlyRegularFiles checks that Open and Scan refuse a path that is
// not a regular file, at once and without touching it: a symbolic link is
// not followed, a named pipe does not block.
func TestOpenOnlyRegularFiles(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"symbolic link to a file", func(t *testing.T, path string) {
			target := filepath.Join(filepath.Dir(path), "target.csv")
			mustWrite(t, target, "precious\n")
			mustSymlink(t, target, path)
		}},
		{"dangling symbolic link", func(t *testing.T, path string) {
			mustSymlink(t, filepath.Join(filepath.Dir(path), "nowhere.csv"), path)
		}},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{"named pipe", func(t *testing.T, path string) { mustMkfifo(t, path) }},
	}
	for _, tt := range tests {
		for _, format := range []source.Format{source.CSV, source.JSONL} {
			t.Run(tt.name+"/"+format.String(), func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "dead.csv")
				tt.setup(t, path)
				before := readDir(t, dir)
				done := make(chan struct{})
				timer := time.AfterFunc(10*time.Second, func() { panic("Open or Scan still blocked after 10s") })
				defer timer.Stop()
				go func() {
					defer close(done)
					if w, err := Open(path, format, []string{"id", "name"}); !errors.Is(err, ErrNotRegular) {
						if err == nil {
							w.Close()
						}
						t.Errorf("Open: %v, want %v", err, ErrNotRegular)
					}
					if err := Scan(path, format, 0, func(int64) error { return nil }); !errors.Is(err, ErrNotRegular) {
						t.Errorf("Scan: %v, want %v", err, ErrNotRegular)
					}
				}()
				<-done
				if diff := cmp.Diff(before, readDir(t, dir)); diff != "" {
					t.Errorf("the folder changed (-before +after):\n%s", diff)
				}
			})
		}
	}
}

// readDir maps the name of every entry of dir to a regular file's contents,
// or to a description of anything else.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		switch p := filepath.Join(dir, e.Name()); {
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			got[e.Name()] = string(b)
		case info.Mode()&os.ModeSymlink != 0:
			to, _ := os.Readlink(p)
			got[e.Name()] = "link to " + to
		default:
			got[e.Name()] = info.Mode().Type().String()
		}
	}
	return got
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

// TestOpenRegularRefusesASwappedFile swaps the regular file at the path for
// a named pipe, a folder or a link after OpenRegular has looked at it and
// before it opens it: the open must neither block on the pipe nor give
// anything but a regular file, following links or not.
func TestOpenRegularRefusesASwappedFile(t *testing.T) {
	tests := []struct {
		name     string
		follow   bool
		swap     func(t *testing.T, path string)
		wantMode os.FileMode // of the *NotRegularError
	}{
		{"FIFO, following links", true, func(t *testing.T, path string) { mustMkfifo(t, path) }, os.ModeNamedPipe},
		{"FIFO, not following links", false, func(t *testing.T, path string) { mustMkfifo(t, path) }, os.ModeNamedPipe},
		{"folder, following links", true, func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, os.ModeDir},
		{"link, not following links", false, func(t *testing.T, path string) {
			target := path + ".target"
			mustWrite(t, target, "elsewhere\n")
			mustSymlink(t, target, path)
		}, os.ModeSymlink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "file")
			mustWrite(t, path, "regular\n")
			beforeOpen = func() {
				if err := os.Remove(path); err != nil {
					t.Error(err)
				}
				tt.swap(t, path)
			}
			t.Cleanup(func() { beforeOpen = func() {} })
			done := make(chan error, 1)
			go func() {
				f, err := OpenRegular(path, os.O_RDONLY, 0, tt.follow)
				if f != nil {
					f.Close()
				}
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				// Let the blocked open go: a writer on the pipe ends it.
				if w, werr := os.OpenFile(path, os.O_WRONLY, 0); werr == nil {
					w.Close()
				}
				t.Fatal("OpenRegular blocked on the path swapped for a named pipe")
			}
			var nr *NotRegularError
			if !errors.Is(err, ErrNotRegular) || !errors.As(err, &nr) {
				t.Fatalf("OpenRegular: %v, want a *NotRegularError wrapping ErrNotRegular", err)
			}
			if nr.Mode.Type() != tt.wantMode || nr.Path != path {
				t.Errorf("NotRegularError{%q, %v}, want {%q, %v}", nr.Path, nr.Mode.Type(), path, tt.wantMode)
			}
		})
	}
}

// TestOpenRegularFollowsLinksWhenAsked opens a link to a regular file with
// follow set, as the input and the token file are opened.
func TestOpenRegularFollowsLinksWhenAsked(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	mustWrite(t, target, "regular\n")
	link := filepath.Join(dir, "link")
	mustSymlink(t, target, link)
	f, err := OpenRegular(link, os.O_RDONLY, 0, true)
	if err != nil {
		t.Fatalf("OpenRegular with follow: %v", err)
	}
	f.Close()
	if _, err := OpenRegular(link, os.O_RDONLY, 0, false); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("OpenRegular without follow: %v, want ErrNotRegular", err)
	}
}
