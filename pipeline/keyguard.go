package pipeline

import (
	"context"
	"hash/maphash"
	"strings"
	"sync"
)

// keyGuard keeps rows for one record in file order across concurrent
// batches: a batch may start only when no batch still in flight holds any of
// its keys. The chunker already keeps a key out of two places in one batch,
// so this only ever makes a later batch wait for an earlier one.
//
// Keys are held by a 64-bit hash: two keys with the same hash, which is
// vanishingly rare, only make a batch wait for another, never the reverse.
//
// It is safe for concurrent use: the dispatcher acquires, the committer
// releases once a batch is settled.
type keyGuard struct {
	seed    maphash.Seed
	mu      sync.Mutex
	held    map[uint64]struct{}
	changed chan struct{} // closed and replaced on every release
}

func newKeyGuard() *keyGuard {
	return &keyGuard{seed: maphash.MakeSeed(), held: make(map[uint64]struct{}), changed: make(chan struct{})}
}

// hash is the form in which the guard holds key.
func (g *keyGuard) hash(key string) uint64 { return maphash.String(g.seed, key) }

// acquire blocks until none of keys is held, then holds them all. keys
// must be distinct, as a batch's are.
func (g *keyGuard) acquire(ctx context.Context, keys []uint64) error {
	for {
		g.mu.Lock()
		n := g.hold(keys)
		if n == len(keys) {
			g.mu.Unlock()
			return nil
		}
		for _, k := range keys[:n] { // keys[n] is another batch's
			delete(g.held, k)
		}
		changed := g.changed
		g.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// hold holds keys in turn until one is already held, and returns how many
// it held. A key that was held leaves the map as large as it was, which
// spares looking each key up before adding it.
func (g *keyGuard) hold(keys []uint64) int {
	for i, k := range keys {
		n := len(g.held)
		g.held[k] = struct{}{}
		if len(g.held) == n {
			return i
		}
	}
	return len(keys)
}

// release frees keys held by a settled batch.
func (g *keyGuard) release(keys []uint64) {
	if len(keys) == 0 {
		return
	}
	g.mu.Lock()
	for _, k := range keys {
		delete(g.held, k)
	}
	close(g.changed)
	g.changed = make(chan struct{})
	g.mu.Unlock()
}

// recordKey is the key under which HubSpot may see two inputs as one record.
// It errs on the side of "same": ids are compared without surrounding spaces
// and case, and numeric record ids without leading zeros ("0123" is record
// 123). Treating two distinct records as one only costs a smaller batch;
// the reverse gets a whole batch rejected (REFERENCE §6).
func recordKey(id string, byProperty bool) string {
	k := strings.ToLower(strings.TrimSpace(id))
	if byProperty || k == "" {
		return k
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return k
		}
	}
	if t := strings.TrimLeft(k, "0"); t != "" {
		return t
	}
	return "0"
}
