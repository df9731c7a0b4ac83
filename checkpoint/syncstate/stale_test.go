package syncstate

import (
	"testing"
)

// target is calls with settings named by tag and the properties props.
func target(tag string, props ...string) Target {
	tg := withSettings("tag", tag)
	tg.Properties = props
	return tg
}

// runTarget is a whole run of tg over rs; it returns the ids sent and
// what Stale said at Open.
func runTarget(t *testing.T, dir string, tg Target, rs []row) (sent []string, other Info, stale bool) {
	t.Helper()
	s := openStore(t, dir, tg, Options{})
	other, stale = s.Stale()
	sent = send(t, s, rs, nil)
	if _, err := s.Finish(); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return sent, other, stale
}

// Going back to earlier settings after another target wrote the same
// properties must not trust the old state: HubSpot holds the other's
// values.
func TestStale(t *testing.T) {
	rs := rows("1", "2")
	tests := []struct {
		name      string
		mine      Target
		other     Target
		wantStale bool
	}{
		{"same properties", target("a", "p", "q"), target("b", "p", "q"), true},
		{"one property shared", target("a", "p", "q"), target("b", "q", "r"), true},
		{"other properties", target("a", "p"), target("b", "r"), false},
		{"mine unknown", target("a"), target("b", "r"), true},
		{"other's unknown", target("a", "p"), target("b"), true},
		{"other object", target("a", "p"), func() Target { tg := target("b", "p"); tg.Object = "calls"; return tg }(), false},
		{"other portal", target("a", "p"), func() Target { tg := target("b", "p"); tg.Portal = "9"; return tg }(), false},
		{"other id property", target("a", "p"), func() Target { tg := target("b", "p"); tg.IDProperty = "email"; return tg }(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			runTarget(t, dir, tt.mine, rs)
			runTarget(t, dir, tt.other, rs)
			sent, other, stale := runTarget(t, dir, tt.mine, rs)
			if stale != tt.wantStale {
				t.Fatalf("Stale() = %v, want %v", stale, tt.wantStale)
			}
			if want := len(rs); stale && (len(sent) != want || other.Settings["tag"] != "b") {
				t.Errorf("stale: sent %v (want all %d), other %+v (want tag b)", sent, want, other)
			}
			if !stale && len(sent) != 0 {
				t.Errorf("not stale: sent %v, want nothing", sent)
			}
			if sent, _, stale := runTarget(t, dir, tt.mine, rs); stale || len(sent) != 0 {
				t.Errorf("the run after: stale %v, sent %v; want the state trusted again", stale, sent)
			}
		})
	}
}

// The other target need not have finished: a run that started and never
// ended (killed, or running now) may have written anything.
func TestStaleOtherUnfinished(t *testing.T) {
	dir := t.TempDir()
	mine, theirs := target("a", "p"), target("b", "p")
	runTarget(t, dir, mine, rows("1"))
	s := openStore(t, dir, theirs, Options{})
	s.started = false // as if killed: no end recorded
	s.Close()
	if _, _, stale := runTarget(t, dir, mine, rows("1")); !stale {
		t.Error("not stale after another target's run that never ended")
	}
}

// A stale run killed before Finish leaves the verdict: the resumed run,
// whose start is now after the other's, still sends everything.
func TestStaleSurvivesACrash(t *testing.T) {
	dir := t.TempDir()
	mine, theirs := target("a", "p"), target("b", "p")
	runTarget(t, dir, mine, rows("1", "2"))
	runTarget(t, dir, theirs, rows("1", "2"))
	s := openStore(t, dir, mine, Options{})
	if _, stale := s.Stale(); !stale {
		t.Fatal("not stale")
	}
	send(t, s, rows("1"), nil)
	s.Close() // no Finish
	for _, o := range []Options{{ReadOnly: true}, {}} {
		s = openStore(t, dir, mine, o)
		if other, stale := s.Stale(); !stale || other.Settings["tag"] != "b" {
			t.Errorf("ReadOnly %v: after a crash Stale() = %+v, %v; want stale because of b", o.ReadOnly, other, stale)
		}
		if !s.Changed(row{"2", "v2"}.entry()) {
			t.Errorf("ReadOnly %v: record 2 unchanged in a stale run", o.ReadOnly)
		}
		s.Close()
	}
}

// A target with no state yet is not stale: every record is sent anyway.
func TestStaleEmpty(t *testing.T) {
	dir := t.TempDir()
	runTarget(t, dir, target("b", "p"), rows("1"))
	if _, _, stale := runTarget(t, dir, target("a", "p"), rows("1")); stale {
		t.Error("a target without state is stale")
	}
}

// A stale run resends what is in its file; the old entries may be stale
// still, so its Finish keeps only what it confirmed: records not in its
// file, or that it saw but did not send (invalid rows), are sent when they
// come back, the others are trusted again.
func TestStaleKeepsOnlyWhatItConfirmed(t *testing.T) {
	dir := t.TempDir()
	mine, theirs := target("a", "p"), target("b", "p")
	runTarget(t, dir, mine, rows("1", "2", "3", "4"))
	runTarget(t, dir, theirs, rows("3"))
	s := openStore(t, dir, mine, Options{})
	if _, stale := s.Stale(); !stale {
		t.Fatal("not stale")
	}
	if sent := send(t, s, rows("1", "2"), nil); len(sent) != 2 {
		t.Fatalf("sent %v, want both", sent)
	}
	s.Changed(row{"4", "invalid"}.entry()) // seen, not sent
	finish(t, s)
	if sent, _, _ := runTarget(t, dir, mine, rows("1", "2", "3", "4")); !sameIDs(sent, []string{"3", "4"}) {
		t.Errorf("sent %v, want 3 and 4, which the stale run did not confirm", sent)
	}
}
