package pipeline

import (
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

// TestKeyGuardHold: a batch with nothing to send (unchanged records alone)
// waits for nothing; a later batch with one of its keys waits for it,
// unless an earlier batch holds that key, which it then waits for.
func TestKeyGuardHold(t *testing.T) {
	g := newKeyGuard()
	keys := func(ks ...string) []uint64 {
		var out []uint64
		for _, k := range ks {
			out = append(out, g.key(k))
		}
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
	a := &batch{keys: keys("1", "2")}
	g.enqueue(a)
	h := &batch{keys: keys("2", "3")} // nothing to send
	g.hold(h)
	b := &batch{keys: keys("2")} // waits for a, which holds 2
	g.enqueue(b)
	c := &batch{keys: keys("3")} // waits for h
	g.enqueue(c)
	want := func(step string, wantReady ...bool) {
		t.Helper()
		for i, x := range []*batch{a, h, b, c} {
			if got := isReady(x); got != wantReady[i] {
				t.Errorf("%s: batch %d ready = %v, want %v", step, i, got, wantReady[i])
			}
		}
	}
	want("enqueued", true, true, false, false)
	g.release(h)
	want("h released", true, true, false, true)
	g.release(a)
	want("a released", true, true, true, true)
	g.release(b)
	g.release(c)
	if len(g.last) != 0 {
		t.Errorf("%d keys still held after every batch was released", len(g.last))
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
