package checkpoint

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name     string
		old      []byte // the file at the path before, nil for none
		data     []byte
		perm     fs.FileMode
		wantPerm fs.FileMode
	}{
		{name: "new file", data: []byte("{}\n"), perm: 0o600, wantPerm: 0o600},
		{name: "replaces the old file", old: []byte("old, and longer than the new\n"), data: []byte("new\n"), perm: 0o600, wantPerm: 0o600},
		{name: "mode as given", data: []byte("x"), perm: 0o640, wantPerm: 0o640},
		{name: "empty", old: []byte("old"), data: []byte{}, perm: 0o600, wantPerm: 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.json")
			if tt.old != nil {
				if err := os.WriteFile(path, tt.old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFile(path, tt.data, tt.perm); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(tt.data) {
				t.Errorf("file holds %q, want %q", got, tt.data)
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if runtime.GOOS != "windows" && st.Mode().Perm() != tt.wantPerm {
				t.Errorf("mode %v, want %v", st.Mode().Perm(), tt.wantPerm)
			}
			assertFiles(t, dir, "state.json")
		})
	}
}

// TestWriteFileFailure: a write that cannot finish leaves the old file as
// it was and no temporary file behind.
func TestWriteFileFailure(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) (path string)
		want  []string // the names left in dir
	}{{
		name:  "missing directory",
		setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "missing", "state.json") },
	}, {
		name: "a directory at the path",
		setup: func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "state.json")
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(path, "inside"), []byte("kept"), 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		},
		want: []string{"state.json"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			if err := WriteFile(path, []byte("new"), 0o600); err == nil {
				t.Fatal("WriteFile succeeded, want an error")
			}
			assertFiles(t, dir, tt.want...)
		})
	}
}

// assertFiles fails t unless dir holds exactly the names want, in order.
func assertFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}

// TestCreateAtomic streams a file and commits or aborts it: until Commit
// the old file stays, and no temporary file is left either way.
func TestCreateAtomic(t *testing.T) {
	tests := []struct {
		name   string
		commit bool
		want   string
	}{
		{"commit", true, "HEAD body\n"},
		{"abort", false, "old\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state")
			if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := CreateAtomic(path, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("____ body\n")); err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt([]byte("HEAD"), 0); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(path); string(got) != "old\n" {
				t.Errorf("before Commit the file holds %q", got)
			}
			if tt.commit {
				err = f.Commit()
			} else {
				f.Abort()
			}
			if err != nil {
				t.Fatal(err)
			}
			f.Abort() // a no-op after either
			if got, _ := os.ReadFile(path); string(got) != tt.want {
				t.Errorf("the file holds %q, want %q", got, tt.want)
			}
			assertFiles(t, dir, "state")
		})
	}
}
