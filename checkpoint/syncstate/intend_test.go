package syncstate

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

// entries returns the entries of rs.
func entries(rs []row) []Entry {
	es := make([]Entry, len(rs))
	for i, r := range rs {
		es[i] = r.entry()
	}
	return es
}

// A record intended but never confirmed (a kill after the request left,
// an unknown outcome, a rejection) is sent next run, even when the file
// goes back to the values the state held before: HubSpot may hold others.
func TestIntend(t *testing.T) {
	old := rows("1", "2", "3")
	changed := []row{{"1", "new"}, {"2", "new"}}
	tests := []struct {
		name    string
		confirm []row // of the changed rows, those HubSpot confirmed
		next    []row // the next run's file
		want    []string
	}{
		{"intended, not confirmed, then reverted", nil, old, []string{"1", "2"}},
		{"intended, not confirmed, same values", nil, append(changed, old[2]), []string{"1", "2"}},
		{"intended and confirmed", changed, append(changed, old[2]), nil},
		{"one of two confirmed", changed[:1], append(changed, old[2]), []string{"2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			runOnce(t, dir, Options{}, old, nil)
			s := openStore(t, dir, calls, Options{})
			if err := s.Intend(entries(changed)); err != nil {
				t.Fatalf("Intend: %v", err)
			}
			for _, e := range entries(tt.confirm) {
				if err := s.Confirm(e); err != nil {
					t.Fatalf("Confirm: %v", err)
				}
			}
			if err := s.Sync(); err != nil {
				t.Fatalf("Sync: %v", err)
			}
			s.Close() // no Finish: as if killed
			s = openStore(t, dir, calls, Options{})
			if got := send(t, s, tt.next, nil); !sameIDs(got, tt.want) {
				t.Errorf("next run sent %v, want %v", got, tt.want)
			}
		})
	}
}

func sameIDs(a, b []string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// A dry run sends nothing, so it intends nothing.
func TestIntendReadOnly(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, Options{}, rows("1"), nil)
	ro := openStore(t, dir, calls, Options{ReadOnly: true})
	if err := ro.Intend(entries(rows("1"))); err != nil {
		t.Fatalf("Intend: %v", err)
	}
	ro.Close()
	if sent, _ := runOnce(t, dir, Options{}, rows("1"), nil); len(sent) != 0 {
		t.Errorf("sent %v after a read-only Intend, want nothing", sent)
	}
}

// Carriers intend their batches at once while the committer confirms and
// syncs and the dispatcher looks up: run with -race. Every confirmation
// ends in the state, and every record only intended is sent again.
func TestIntendConcurrently(t *testing.T) {
	const carriers, batches, size = 4, 50, 10
	dir := t.TempDir()
	s := openStore(t, dir, calls, Options{})
	var wg sync.WaitGroup
	confirm := make(chan []Entry)
	for c := range carriers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				var rs []row
				for i := range size {
					rs = append(rs, row{fmt.Sprintf("%d-%d-%d", c, b, i), "v"})
				}
				if err := s.Intend(entries(rs)); err != nil {
					t.Errorf("Intend: %v", err)
					return
				}
				if c != 0 { // carrier 0's batches are never confirmed
					confirm <- entries(rs)
				}
			}
		}()
	}
	go func() { wg.Wait(); close(confirm) }()
	looked := make(chan struct{})
	go func() {
		defer close(looked)
		for i := range 1000 {
			s.Changed(row{fmt.Sprint(i), "v"}.entry())
		}
	}()
	for es := range confirm {
		for _, e := range es {
			if err := s.Confirm(e); err != nil {
				t.Fatalf("Confirm: %v", err)
			}
		}
		if err := s.Sync(); err != nil {
			t.Fatalf("Sync: %v", err)
		}
	}
	<-looked
	syncs := s.journal.syncs
	if _, err := s.Finish(); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	s.Close()
	t.Logf("%d Intend calls, %d fsyncs", carriers*batches, syncs)
	s = openStore(t, dir, calls, Options{})
	for c := range carriers {
		for b := range batches {
			for i := range size {
				r := row{fmt.Sprintf("%d-%d-%d", c, b, i), "v"}
				if got, want := s.Changed(r.entry()), c == 0; got != want {
					t.Fatalf("Changed(%s) = %v, want %v", r.id, got, want)
				}
			}
		}
	}
}

// After Finish the journal takes nothing more: a confirmation then would
// be lost, so it is an error.
func TestAfterFinish(t *testing.T) {
	s := openStore(t, t.TempDir(), calls, Options{})
	send(t, s, rows("1"), nil)
	if _, err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Confirm": s.Confirm(row{"2", "x"}.entry()),
		"Sync":    s.Sync(),
		"Intend":  s.Intend(entries(rows("2"))),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s after Finish: %v, want ErrReadOnly", name, err)
		}
	}
}
