package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPruneArchives(t *testing.T) {
	const base = "export.csv.checkpoint.json"
	tests := []struct {
		name    string
		files   []string // besides base itself
		keep    int
		removed []string
	}{
		{"under the cap", []string{base + ".prev-20261201T020000Z"}, 2, nil},
		{"oldest go first", []string{
			base + ".prev-20261129T020000Z", base + ".prev-20261130T020000Z", base + ".prev-20261201T020000Z",
		}, 2, []string{base + ".prev-20261129T020000Z"}},
		{"within one second, by suffix number", []string{
			base + ".prev-20261201T020000Z", base + ".prev-20261201T020000Z-2", base + ".prev-20261201T020000Z-10",
		}, 1, []string{base + ".prev-20261201T020000Z", base + ".prev-20261201T020000Z-2"}},
		{"keep 0 keeps all", []string{base + ".prev-20261129T020000Z", base + ".prev-20261130T020000Z"}, 0, nil},
		{"only hubsync's own names of this file", []string{
			base + ".prev-20261129T020000Z", base + ".prev-20261130T020000Z",
			base + ".prev-20200101T000000Z.bak", base + ".prev-notes", base + ".prev-20200101T000000Z-0",
			"other.csv.checkpoint.json.prev-20200101T000000Z", "x" + base + ".prev-20200101T000000Z",
		}, 1, []string{base + ".prev-20261129T020000Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range append(tt.files, base) {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			removed, err := pruneArchives(filepath.Join(dir, base), tt.keep)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range removed {
				got = append(got, filepath.Base(p))
			}
			slices.Sort(got)
			if diff := cmp.Diff(tt.removed, got); diff != "" {
				t.Errorf("removed (-want +got):\n%s", diff)
			}
			for _, f := range append(tt.files, base) {
				_, err := os.Stat(filepath.Join(dir, f))
				if gone := os.IsNotExist(err); gone != slices.Contains(tt.removed, f) {
					t.Errorf("%s: gone %v", f, gone)
				}
			}
		})
	}
}

// A link or a directory under an archive's name is not an archive.
func TestPruneArchivesSkipsOddFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "calls.dead-letter.csv")
	target := filepath.Join(dir, "precious")
	os.WriteFile(target, []byte("x"), 0o600)
	os.Symlink(target, path+".prev-20200101T000000Z")
	os.Mkdir(path+".prev-20200102T000000Z", 0o700)
	os.WriteFile(path+".prev-20261201T000000Z", []byte("x"), 0o600)
	removed, err := pruneArchives(path, 1)
	if err != nil || len(removed) != 0 {
		t.Errorf("removed %q, %v; want nothing", removed, err)
	}
}
