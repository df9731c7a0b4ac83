package syncstate

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
)

// withSettings is calls with other settings.
func withSettings(kv ...string) Target {
	tg := calls
	tg.Settings = map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		tg.Settings[kv[i]] = kv[i+1]
	}
	return tg
}

func TestSettings(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, Options{}, rows("1", "2"), nil)
	other := withSettings("mapping", "a=c")
	s := openStore(t, dir, other, Options{})
	if s.dir == filepath.Join(dir, runOnceID(t, dir)) {
		t.Fatalf("other settings share the folder %s", s.dir)
	}
	if !s.Changed(row{"1", "v1"}.entry()) {
		t.Error("a record unchanged under the old settings is unchanged under new ones")
	}
	others := s.OtherSettings()
	if len(others) != 1 || !maps.Equal(others[0].Settings, calls.Settings) || others[0].Records != 2 {
		t.Errorf("OtherSettings() = %+v, want the old state of 2 records", others)
	}
	other.Object = "contacts"
	if got := openStore(t, dir, other, Options{}).OtherSettings(); len(got) != 0 {
		t.Errorf("OtherSettings() of another object = %+v, want none", got)
	}
}

// runOnceID is the id of the one target in dir.
func runOnceID(t *testing.T, dir string) string {
	infos, err := List(dir)
	if err != nil || len(infos) == 0 {
		t.Fatalf("List: %v, %v", infos, err)
	}
	return infos[0].ID
}

// A journal of other settings (copied by hand, or a folder name shared
// by two settings hashes) is never merged.
func TestJournalOfOtherSettings(t *testing.T) {
	dir := t.TempDir()
	other := withSettings("mapping", "a=c")
	s := openStore(t, dir, other, Options{})
	send(t, s, rows("1"), nil)
	s.Close()
	mine := openStore(t, dir, calls, Options{})
	mine.Close()
	journal, _ := os.ReadFile(s.journalPath())
	os.WriteFile(mine.journalPath(), journal, 0o600)
	_, err := Open(calls, Options{Dir: dir})
	var damaged *DamagedError
	if !errors.As(err, &damaged) || !errors.Is(err, errOtherSettings) {
		t.Fatalf("Open: %v, want a *DamagedError for other settings", err)
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, Options{}, rows("1", "2"), nil)
	first := openStore(t, dir, calls, Options{})
	_, err := Open(calls, Options{Dir: dir})
	var locked *checkpoint.LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("second Open: %v, want a *checkpoint.LockedError", err)
	}
	if err := Reset(dir, first.id); !errors.As(err, &locked) {
		t.Errorf("Reset while locked: %v, want a *checkpoint.LockedError", err)
	}
	ro := openStore(t, dir, calls, Options{ReadOnly: true})
	if ro.Changed(row{"1", "v1"}.entry()) || !ro.Changed(row{"2", "new"}.entry()) {
		t.Error("a read-only store does not see the state")
	}
	first.Close()
	second := openStore(t, dir, calls, Options{})
	second.Close()
}

// A dry run writes nothing: not the lock, not target.json, not a fold.
func TestReadOnlyWritesNothing(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, Options{}, rows("1", "2"), nil)
	s := openStore(t, dir, calls, Options{})
	send(t, s, []row{{"1", "changed"}}, nil)
	s.Close() // leaves a journal
	before := snapshot(t, dir)
	time.Sleep(10 * time.Millisecond)
	ro := openStore(t, dir, calls, Options{ReadOnly: true})
	if ro.Changed(row{"1", "changed"}.entry()) || !ro.Changed(row{"2", "new"}.entry()) {
		t.Error("read-only: the unfolded journal is not seen as the real run would see it")
	}
	for name, err := range map[string]error{"Confirm": ro.Confirm(row{"1", "x"}.entry()), "Sync": ro.Sync()} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", name, err)
		}
	}
	if _, err := ro.Finish(); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Finish: %v, want ErrReadOnly", err)
	}
	ro.Close()
	if _, err := Open(withSettings("x", "y"), Options{Dir: dir, ReadOnly: true}); err != nil {
		t.Errorf("read-only Open of a new target: %v", err)
	}
	if after := snapshot(t, dir); !maps.Equal(before, after) {
		t.Errorf("a read-only store changed the files:\nbefore %v\nafter  %v", before, after)
	}
}

// snapshot maps every path under dir to its size and modification time.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		files[path] = info.ModTime().String() + " " + info.Mode().String()
		if !info.IsDir() {
			files[path] += fmt.Sprint(" ", info.Size())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestListAndReset(t *testing.T) {
	dir := t.TempDir()
	if infos, err := List(filepath.Join(dir, "none")); err != nil || len(infos) != 0 {
		t.Fatalf("List of a missing dir: %v, %v", infos, err)
	}
	runOnce(t, dir, Options{}, rows("1", "2", "3"), nil)
	start := time.Now().Add(-time.Second)
	other := openStore(t, dir, withSettings("empty", "ignore"), Options{})
	other.Close()
	infos, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 {
		t.Fatalf("List: %+v, want 2 targets", infos)
	}
	byRecords := map[int64]Info{}
	for _, info := range infos {
		byRecords[info.Records] = info
	}
	done, fresh := byRecords[3], byRecords[0]
	if done.Generation != 1 || done.LastRun.Before(start.Add(-time.Minute)) || done.Portal != "123" || done.Object != "communications" || done.Problem != "" {
		t.Errorf("the finished target: %+v", done)
	}
	if fresh.Generation != 0 || !fresh.LastRun.IsZero() || fresh.Settings["empty"] != "ignore" {
		t.Errorf("the target never finished: %+v", fresh)
	}
	for _, bad := range []string{"", ".", "..", "a/b", "missing"} {
		if err := Reset(dir, bad); err == nil {
			t.Errorf("Reset(%q) succeeded", bad)
		}
	}
	if err := Reset(dir, done.ID); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	infos, _ = List(dir)
	if ids := ids(infos); !slices.Equal(ids, []string{fresh.ID}) {
		t.Errorf("after Reset List has %v, want %v", ids, fresh.ID)
	}
	sent, _ := runOnce(t, dir, Options{}, rows("1", "2", "3"), nil)
	if len(sent) != 3 {
		t.Errorf("after Reset a run sent %v, want every record", sent)
	}
}

func ids(infos []Info) []string {
	var ids []string
	for _, info := range infos {
		ids = append(ids, info.ID)
	}
	return ids
}

func TestDefaultDir(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/x/state", "HOME": "/home/a"}, "/x/state/hubsync"},
		{map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/home/a"}, "/home/a/.local/state/hubsync"},
		{map[string]string{"HOME": "/home/a"}, "/home/a/.local/state/hubsync"},
	}
	for _, tt := range tests {
		got, err := DefaultDir(func(k string) string { return tt.env[k] })
		if err != nil || got != filepath.FromSlash(tt.want) {
			t.Errorf("DefaultDir(%v) = %q, %v, want %q", tt.env, got, err, tt.want)
		}
	}
}

// Folder names keep '-' for separating the parts: parts that hold one
// must not make two targets share a folder.
func TestTargetID(t *testing.T) {
	var settings [32]byte
	tests := []struct {
		a, b Target
	}{
		{Target{Portal: "1-a", Object: "b"}, Target{Portal: "1", Object: "a-b"}},
		{Target{Portal: "1", Object: "2-3", IDProperty: "x"}, Target{Portal: "1", Object: "2", IDProperty: "3-x"}},
		{Target{Portal: "1", Object: "a.b"}, Target{Portal: "1", Object: "a_b"}},
		{Target{Portal: "1", Object: "a%2Db"}, Target{Portal: "1", Object: "a-b"}},
	}
	for _, tt := range tests {
		a, b := targetID(tt.a, settings), targetID(tt.b, settings)
		if a == b {
			t.Errorf("%+v and %+v share the folder %s", tt.a, tt.b, a)
		}
		for _, id := range []string{a, b} {
			if strings.Count(id, "-") != 3 || strings.ContainsAny(id, `./\`) || isDeleting(id) {
				t.Errorf("folder name %q: want 4 parts, no '.', no path separator", id)
			}
		}
	}
	if got := targetID(Target{Portal: "12345678", Object: "2-123", IDProperty: "email"}, settings); got != "12345678-2%2D123-email-0000000000000000" {
		t.Errorf("targetID = %q", got)
	}
}
