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
			b.keys[i] = g.hash(k)
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
