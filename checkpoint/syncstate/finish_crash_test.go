package syncstate

import (
	"os"
	"path/filepath"
	"testing"
)

// A run killed anywhere in Finish leaves some of: a new generation being
// written (state.tmp-*), sorted runs (fold-run-*), the new state renamed
// over the old with the journal not yet removed, target.json not yet
// updated. The next Open must give the state the finished run would have.
func TestCrashInFinish(t *testing.T) {
	tests := []struct {
		name  string
		crash func(t *testing.T, s *Store, journal, meta []byte)
	}{
		{"while writing the new generation", func(t *testing.T, s *Store, journal, meta []byte) {
			s.Close() // no Finish: the journal stays
			write(t, filepath.Join(s.dir, "state.tmp-123"), []byte("HUBSYNCS half a generation"))
			write(t, filepath.Join(s.dir, "fold-run-456"), make([]byte, 3*entrySize))
		}},
		{"after the rename, before the journal's removal", func(t *testing.T, s *Store, journal, meta []byte) {
			finish(t, s)
			write(t, s.journalPath(), journal)
			write(t, s.targetPath(), meta)
		}},
		{"after the journal's removal, before target.json", func(t *testing.T, s *Store, journal, meta []byte) {
			finish(t, s)
			write(t, s.targetPath(), meta)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			runOnce(t, dir, Options{}, rows("1", "2", "3"), nil)
			s := openStore(t, dir, calls, Options{})
			meta := read(t, s.targetPath())
			next := []row{{"1", "new"}, {"2", "v2"}, {"4", "v4"}}
			if got := send(t, s, next, nil); !sameIDs(got, []string{"1", "4"}) {
				t.Fatalf("sent %v", got)
			}
			tt.crash(t, s, read(t, s.journalPath()), meta)

			s = openStore(t, dir, calls, Options{})
			if got := s.Info().Records; got != 4 {
				t.Errorf("%d records, want 4", got)
			}
			if got := send(t, s, append(next, row{"3", "v3"}), nil); len(got) != 0 {
				t.Errorf("after the crash a run sent %v, want nothing", got)
			}
			if leftovers, _ := filepath.Glob(filepath.Join(s.dir, "*-*")); len(leftovers) != 0 {
				t.Errorf("left in the folder: %v", leftovers)
			}
		})
	}
}

func finish(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.Finish(); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	s.Close()
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
