package pipeline

import (
	"slices"
	"testing"
)

// TestKeyGuard: a batch waits for the earlier batches that share one of its
// keys, and for those alone; a batch behind it with the same key waits for
// it too, even when the batch it waited for is gone.
func TestKeyGuard(t *testing.T) {
	g := newKeyGuard()
	newBatch := func(keys ...string) *batch {
		b := &batch{keys: make([]uint64, len(keys))}
		for i, k := range keys {
			b.keys[i] = g.key(k)
		}
		g.enqueue(b)
		return b
	}
	isReady := func(b *batch) bool {
		select {
		case <-b.ready:
			return true
		default:
			return false
		}
	}
	a := newBatch("1", "2", "3")
	b := newBatch("4", "2")      // waits for a
	c := newBatch("5", "6")      // other keys: goes at once
	d := newBatch("4", "7")      // waits for b, whose key 4 it shares
	e := newBatch("2", "3", "8") // waits for a (twice) and b
	want := func(step string, wantReady ...bool) {
		t.Helper()
		for i, x := range []*batch{a, b, c, d, e} {
			if got := isReady(x); got != wantReady[i] {
				t.Errorf("%s: batch %c ready = %v, want %v", step, 'a'+i, got, wantReady[i])
			}
		}
	}
	want("enqueued", true, false, true, false, false)
	g.release(c)
	want("c released", true, false, true, false, false)
	g.release(a)
	want("a released", true, true, true, false, false)
	g.release(b)
	want("b released", true, true, true, true, true)
	g.release(d)
	g.release(e)
	if len(g.last) != 0 {
		t.Errorf("%d keys still held after every batch was released", len(g.last))
	}
}

// TestKeyGuardUnchanged: a batch that sends a record waits for the earlier
// batches with an unchanged row of it, the batches of unchanged rows alone
// (hold) included; unchanged rows wait for nothing.
func TestKeyGuardUnchanged(t *testing.T) {
	g := newKeyGuard()
	keys := func(ks ...string) []uint64 {
		var out []uint64
		for _, k := range ks {
			out = append(out, g.key(k))
		}
		slices.Sort(out)
		return out
	}
	isReady := func(b *batch) bool {
		select {
		case <-b.ready:
			return true
		default:
			return false
		}
	}
	a := &batch{keys: keys("1"), unchangedKeys: keys("2", "3")}
	g.enqueue(a)
	b := &batch{keys: keys("2")} // waits for a
	g.enqueue(b)
	h := &batch{unchangedKeys: keys("4")} // nothing to send (failed and unchanged rows)
	g.hold(h)
	c := &batch{keys: keys("4", "5"), unchangedKeys: keys("3")} // waits for h; its unchanged 3 waits for nothing
	g.enqueue(c)
	d := &batch{keys: keys("3")} // waits for a and c
	g.enqueue(d)
	want := func(step string, wantReady ...bool) {
		t.Helper()
		for i, x := range []*batch{a, b, h, c, d} {
			if got := isReady(x); got != wantReady[i] {
				t.Errorf("%s: batch %c ready = %v, want %v", step, "abhcd"[i], got, wantReady[i])
			}
		}
	}
	want("enqueued", true, false, true, false, false)
	g.release(h)
	want("h released", true, false, true, true, false)
	g.release(a)
	want("a released", true, true, true, true, false)
	g.release(c)
	want("c released", true, true, true, true, true)
	g.release(b)
	g.release(d)
	if len(g.last) != 0 || len(g.unchanged) != 0 {
		t.Errorf("%d keys and %d batches of unchanged rows still held after every batch was released", len(g.last), len(g.unchanged))
	}
}

// TestKeyGuardKey: ids that HubSpot may take for one record are one key,
// whether they are record ids or idProperty values (sink.CanonicalID), so
// their rows never share a batch and keep their file order.
func TestKeyGuardKey(t *testing.T) {
	g := newKeyGuard()
	tests := []struct {
		a, b string
		same bool
	}{
		{"123", "0123", true},
		{"0", "000", true},
		{"EXT-1", "ext-1", true},
		{" a@b.com", "A@B.COM ", true},
		{"123", "1230", false},
		{"ext-1", "ext-2", false},
		{"00ab", "0ab", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+"|"+tt.b, func(t *testing.T) {
			if same := g.key(tt.a) == g.key(tt.b); same != tt.same {
				t.Errorf("key(%q) == key(%q) is %v, want %v", tt.a, tt.b, same, tt.same)
			}
		})
	}
}
