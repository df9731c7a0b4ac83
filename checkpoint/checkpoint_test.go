package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleState() *State {
	return &State{
		Version:        Version,
		Input:          Input{Path: "/data/calls.csv", Size: 1000, ModTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Head: "ab"},
		Settings:       map[string]string{"object": "communications", "id_column": "id"},
		Watermark:      Pos{Offset: 400, Line: 41},
		Settled:        []Span{{Start: 500, End: Pos{Offset: 600, Line: 61}}},
		DeadLetterPath: "/data/calls.dead-letter.csv",
		DeadLetterSize: 77,
		Counts:         Counts{Applied: 30, DeadLettered: 2, Requests: 4},
		StartedAt:      time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC),
		UpdatedAt:      time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC),
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.checkpoint.json")
	want := sampleState()
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
	// No temp files left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d files after Save, want 1", len(entries))
	}
}

func TestLoadErrors(t *testing.T) {
	valid, _ := os.ReadFile(writeSample(t))
	tests := []struct {
		name    string
		content string
		corrupt bool
	}{
		{"truncated", string(valid[:len(valid)/2]), true},
		{"empty", "", true},
		{"not json", "hello", true},
		{"unknown field", strings.Replace(string(valid), `"version"`, `"versoin"`, 1), true},
		{"wrong version", strings.Replace(string(valid), `"version": 1`, `"version": 9`, 1), true},
		{"watermark beyond input", strings.Replace(string(valid), `"offset": 400`, `"offset": 4000`, 1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cp.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			var ce *CorruptError
			if got := errors.As(err, &ce); got != tt.corrupt {
				t.Fatalf("Load = %v, corrupt %v, want %v", err, got, tt.corrupt)
			}
			if !strings.Contains(err.Error(), "--restart") {
				t.Errorf("error %q does not tell the user what to do", err)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load of a missing file = %v, want ErrNotFound", err)
	}
}

func writeSample(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sample.json")
	if err := Save(path, sampleState()); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheck(t *testing.T) {
	s := sampleState()
	same := map[string]string{"object": "communications", "id_column": "id"}
	tests := []struct {
		name     string
		in       Input
		settings map[string]string
		wantErr  string
	}{
		{"same", s.Input, same, ""},
		{"grown", Input{Size: 1001, ModTime: s.Input.ModTime, Head: "ab"}, same, "size 1001, was 1000"},
		{"touched", Input{Size: 1000, ModTime: s.Input.ModTime.Add(time.Second), Head: "ab"}, same, "modified"},
		{"edited head", Input{Size: 1000, ModTime: s.Input.ModTime, Head: "cd"}, same, "first 64 KiB"},
		{"other object", s.Input, map[string]string{"object": "contacts", "id_column": "id"}, "setting object"},
		{"setting dropped", s.Input, map[string]string{"object": "communications"}, "id_column is unset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Check(tt.in, tt.settings)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Check = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(path, []byte("id,name\n1,a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := Fingerprint(f, path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Size != 12 || a.Head == "" || !filepath.IsAbs(a.Path) {
		t.Errorf("Fingerprint = %+v", a)
	}
	if err := os.WriteFile(path, []byte("id,name\n1,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := Fingerprint(f, path)
	if a.Head == b.Head {
		t.Error("fingerprint head unchanged after the content changed")
	}
}
