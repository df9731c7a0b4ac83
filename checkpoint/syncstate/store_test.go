package syncstate

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var calls = Target{Portal: "123", Object: "communications", Settings: map[string]string{"mapping": "a=b"}}

// row is one input record: its id as sent and its one property's value.
type row struct{ id, v string }

func (r row) entry() Entry { return NewEntry(canonical(r.id), r.id, []Prop{{"v", r.v}}) }

// canonical folds ids as sink.CanonicalID does for the tests' purposes:
// leading zeros and case.
func canonical(id string) string {
	id = strings.ToLower(strings.TrimLeft(id, "0"))
	if id == "" {
		return "0"
	}
	return id
}

func rows(ids ...string) []row {
	var rs []row
	for _, id := range ids {
		rs = append(rs, row{id, "v" + id})
	}
	return rs
}

func openStore(t testing.TB, dir string, tg Target, o Options) *Store {
	t.Helper()
	o.Dir = dir
	s, err := Open(tg, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// send passes rs to Changed and confirms the rows sent, except those
// HubSpot refused (refused[id]); it returns the ids sent.
func send(t *testing.T, s *Store, rs []row, refused map[string]bool) []string {
	t.Helper()
	var sent []string
	for _, r := range rs {
		if !s.Changed(r.entry()) {
			continue
		}
		sent = append(sent, r.id)
		if !refused[r.id] {
			if err := s.Confirm(r.entry()); err != nil {
				t.Fatalf("Confirm: %v", err)
			}
		}
	}
	if err := s.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return sent
}

// runOnce is a whole run: Open, send, Finish, Close.
func runOnce(t *testing.T, dir string, o Options, rs []row, refused map[string]bool) ([]string, Summary) {
	t.Helper()
	s := openStore(t, dir, calls, o)
	sent := send(t, s, rs, refused)
	sum, err := s.Finish()
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return sent, sum
}

// night is one run's input and the records HubSpot refused in it.
type night struct {
	rows    []row
	refused map[string]bool
}

func TestRuns(t *testing.T) {
	first := night{rows: rows("1", "2", "3", "4")}
	refusedOne := night{[]row{{"1", "x"}, {"2", "y"}}, map[string]bool{"1": true}}
	tests := []struct {
		name   string
		before []night // the runs before, each in a fresh state dir
		run    night
		want   []string
		sum    Summary
	}{
		{"the first run sends every record", nil, first, []string{"1", "2", "3", "4"}, Summary{Records: 4, Generation: 1}},
		{"unchanged", []night{first}, first, nil, Summary{Records: 4, Generation: 2}},
		{"one changed, one new, one gone", []night{first},
			night{rows: []row{{"1", "v1"}, {"2", "new"}, {"3", "v3"}, {"5", "v5"}}}, []string{"2", "5"}, Summary{Records: 5, NotInFile: 1, Generation: 2}},
		{"refused records keep their old entry", []night{first}, refusedOne, []string{"1", "2"}, Summary{Records: 4, NotInFile: 2, Generation: 2}},
		{"so the refused one is sent again", []night{first, refusedOne},
			night{rows: refusedOne.rows}, []string{"1"}, Summary{Records: 4, NotInFile: 2, Generation: 3}},
		{"a repeated id is sent again once sent", []night{first},
			night{rows: []row{{"1", "z"}, {"1", "x"}, {"3", "v3"}, {"3", "v3"}}}, []string{"1", "1"}, Summary{Records: 4, NotInFile: 2, Generation: 2}},
		{"the last row of a repeated id is what the state keeps", []night{first, {rows: []row{{"1", "z"}, {"1", "x"}}}},
			night{rows: []row{{"1", "x"}}}, nil, Summary{Records: 4, NotInFile: 3, Generation: 3}},
		{"a new repeated id is sent each time", []night{first},
			night{rows: []row{{"9", "a"}, {"9", "a"}}}, []string{"9", "9"}, Summary{Records: 5, NotInFile: 4, Generation: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, n := range tt.before {
				runOnce(t, dir, Options{}, n.rows, n.refused)
			}
			sent, sum := runOnce(t, dir, Options{}, tt.run.rows, tt.run.refused)
			if !slices.Equal(sent, tt.want) {
				t.Errorf("sent %v, want %v", sent, tt.want)
			}
			if sum != tt.sum {
				t.Errorf("summary %+v, want %+v", sum, tt.sum)
			}
		})
	}
}

func TestOpenEmptyDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not", "yet")
	s := openStore(t, dir, calls, Options{})
	if info := s.Info(); info.Records != 0 || info.Generation != 0 || info.ID != "123-communications-id-"+fmt.Sprintf("%x", settingsHash(calls.Settings))[:16] {
		t.Errorf("Info() = %+v", info)
	}
	for _, r := range rows("1", "2") {
		if !s.Changed(r.entry()) {
			t.Errorf("Changed(%s) = false for a key not in the state", r.id)
		}
	}
}

// A run killed before Finish leaves its synced journal; the next Open
// folds it, and folding it twice (a kill after the rename, before the
// journal's removal) gives the same state.
func TestJournalSurvivesCrash(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, Options{}, rows("1", "2"), nil)
	s := openStore(t, dir, calls, Options{})
	send(t, s, []row{{"2", "changed"}, {"3", "v3"}}, nil)
	folder := s.dir
	journal, err := os.ReadFile(s.journalPath())
	if err != nil {
		t.Fatal(err)
	}
	s.Close() // no Finish: as if killed

	check := func(name string) {
		s := openStore(t, dir, calls, Options{})
		if got := s.Info().Records; got != 3 {
			t.Errorf("%s: %d records, want 3", name, got)
		}
		if _, err := os.Stat(s.journalPath()); !os.IsNotExist(err) {
			t.Errorf("%s: the journal is still there after Open: %v", name, err)
		}
		sent := send(t, s, []row{{"1", "v1"}, {"2", "changed"}, {"3", "v3"}, {"2", "v2"}}, nil)
		if !slices.Equal(sent, []string{"2"}) {
			t.Errorf("%s: sent %v, want only the last row of 2", name, sent)
		}
		if s.Info().Generation != 1 {
			t.Errorf("%s: generation %d, want 1: a fold at Open is not a finished run", name, s.Info().Generation)
		}
		s.Close()
		os.Remove(s.journalPath()) // forget this check's confirmation
	}
	check("after the crash")
	if err := os.WriteFile(filepath.Join(folder, "journal"), journal, 0o600); err != nil {
		t.Fatal(err)
	}
	check("after folding the journal twice")
}

// A kill in the middle of a write leaves part of an entry: never synced,
// so it is dropped, and the whole entries before it count.
func TestTornJournalTail(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, calls, Options{})
	send(t, s, rows("1", "2"), nil)
	s.Close()
	f, err := os.OpenFile(s.journalPath(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(make([]byte, 10))
	f.Close()
	s = openStore(t, dir, calls, Options{})
	if got := s.Info().Records; got != 2 {
		t.Errorf("%d records, want 2", got)
	}
}

func TestRefreshEvery(t *testing.T) {
	dir := t.TempDir()
	var ids []string
	for i := range 2000 {
		ids = append(ids, fmt.Sprint(i))
	}
	runOnce(t, dir, Options{}, rows(ids...), nil)
	times := map[string]int{}
	for range 4 {
		sent, _ := runOnce(t, dir, Options{RefreshEvery: 4}, rows(ids...), nil)
		if n := len(sent); n < 400 || n > 600 {
			t.Errorf("a run sent %d of 2000 unchanged records, want about 500", n)
		}
		for _, id := range sent {
			times[id]++
		}
	}
	for _, id := range ids {
		if times[id] != 1 {
			t.Fatalf("record %s sent %d times in 4 runs, want once", id, times[id])
		}
	}
}

func TestFullResync(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, Options{}, rows("1", "2", "3"), nil)
	sent, sum := runOnce(t, dir, Options{FullResync: true}, rows("1", "2"), nil)
	if !slices.Equal(sent, []string{"1", "2"}) {
		t.Errorf("sent %v, want every record", sent)
	}
	if sum.Records != 3 || sum.NotInFile != 1 {
		t.Errorf("summary %+v, want 3 records, 1 not in the file (kept)", sum)
	}
}

func TestOptionsRefused(t *testing.T) {
	for name, tt := range map[string]struct {
		tg Target
		o  Options
	}{
		"no portal":        {Target{Object: "contacts"}, Options{}},
		"no object":        {Target{Portal: "1"}, Options{}},
		"negative refresh": {calls, Options{RefreshEvery: -1}},
	} {
		t.Run(name, func(t *testing.T) {
			tt.o.Dir = t.TempDir()
			if s, err := Open(tt.tg, tt.o); err == nil {
				s.Close()
				t.Error("Open succeeded")
			}
		})
	}
}

// The dispatcher calls Changed while the committer calls Confirm and
// Sync: run with -race.
func TestChangedAndConfirmConcurrently(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, Options{}, rows("1", "2", "3"), nil)
	s := openStore(t, dir, calls, Options{RefreshEvery: 2})
	done := make(chan error)
	go func() {
		for i := range 1000 {
			if err := s.Confirm(row{fmt.Sprint(i), "x"}.entry()); err != nil {
				done <- err
				return
			}
			if i%100 == 0 {
				if err := s.Sync(); err != nil {
					done <- err
					return
				}
			}
		}
		done <- nil
	}()
	for i := range 1000 {
		s.Changed(row{fmt.Sprint(i % 5), "v"}.entry())
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sum, err := s.Finish(); err != nil || sum.Records != 1000 {
		t.Errorf("Finish: %+v, %v, want 1000 records", sum, err)
	}
}

// Ids that fold to one key ("00123" and "123" for a string id property,
// two records in HubSpot) share an entry: whichever was confirmed last,
// the other's row must not look unchanged because its values are equal.
func TestFoldedIDs(t *testing.T) {
	tests := []struct {
		name  string
		night []row // the first night: both records, the last confirmed wins the entry
		next  row   // the next night's row, whose values equal the entry's
	}{
		{"00123 then 123", []row{{"00123", "open"}, {"123", "closed"}}, row{"00123", "closed"}},
		{"123 then 00123", []row{{"123", "closed"}, {"00123", "open"}}, row{"123", "open"}},
		{"case", []row{{"abc", "open"}, {"ABC", "closed"}}, row{"abc", "closed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			runOnce(t, dir, Options{}, tt.night, nil)
			sent, _ := runOnce(t, dir, Options{}, []row{tt.next}, nil)
			if !slices.Equal(sent, []string{tt.next.id}) {
				t.Errorf("sent %v, want %s: HubSpot holds other values for it", sent, tt.next.id)
			}
		})
	}
}

// TestSeen: a record that failed before sending counts as in the file, and
// a later row of it with its confirmed values is still unchanged.
func TestSeen(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, Options{}, rows("1", "2", "3"), nil)
	s := openStore(t, dir, calls, Options{})
	s.Seen(KeyOf(canonical("2")))
	if s.Changed(row{"2", "v2"}.entry()) {
		t.Error("a record seen before is changed though its values are the confirmed ones")
	}
	if s.Changed(row{"1", "v1"}.entry()) {
		t.Error("record 1 is changed")
	}
	sum, err := s.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if sum.NotInFile != 1 {
		t.Errorf("NotInFile = %d, want 1 (record 3 only)", sum.NotInFile)
	}
}
