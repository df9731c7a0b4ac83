package pipeline

import (
	"context"
	"testing"
	"time"
)

// TestKeyGuard: a batch holding a key makes a later batch with that key
// wait until it is released; batches with other keys go at once.
func TestKeyGuard(t *testing.T) {
	g := newKeyGuard()
	hashes := func(keys ...string) []uint64 {
		h := make([]uint64, len(keys))
		for i, k := range keys {
			h[i] = g.hash(k)
		}
		return h
	}
	ctx := context.Background()
	first := hashes("1", "2", "3")
	if err := g.acquire(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := g.acquire(ctx, hashes("4", "5")); err != nil {
		t.Fatalf("disjoint keys: %v", err)
	}
	got := make(chan error, 1)
	go func() { got <- g.acquire(ctx, hashes("6", "2")) }()
	select {
	case err := <-got:
		t.Fatalf("acquired a held key (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	g.mu.Lock()
	_, held := g.held[g.hash("6")]
	g.mu.Unlock()
	if held {
		t.Error("a batch waiting for a held key holds its other keys")
	}
	g.release(first)
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still waiting after the key was released")
	}

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := g.acquire(short, hashes("2")); err != context.DeadlineExceeded {
		t.Errorf("acquire of a held key until the deadline: %v, want DeadlineExceeded", err)
	}
}
