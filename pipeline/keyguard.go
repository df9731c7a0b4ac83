package pipeline

import (
	"hash/maphash"
	"slices"
	"sync"

	"github.com/hubsync/hubsync/sink"
)

// keyGuard keeps rows for one record in file order across concurrent
// batches: a batch may be sent only once every earlier batch that shares a
// record with it has settled. It waits for those alone; later batches of
// other records go ahead of it. The chunker already keeps a key out of two
// places in one batch.
//
// The dispatcher enqueues every batch in file order, which never blocks: a
// batch is linked behind the last batch enqueued with each of its keys (a
// queue per key, kept as links between batches) and is ready once all those
// have been released. The earliest batch not yet settled is always ready, so
// batches in progress never wait for each other in a circle.
//
// A key is a record's canonical id (sink.CanonicalID), held by a 64-bit
// hash: two keys with the same hash, which is vanishingly rare, only make a
// batch wait for another, never the reverse.
//
// It is safe for concurrent use: the dispatcher enqueues, the committer
// (or a worker that drops a batch) releases.
type keyGuard struct {
	seed maphash.Seed
	mu   sync.Mutex
	last map[uint64]*batch // for each key of a batch not yet released: the last such batch enqueued
	// unchanged are the batches not yet released with unchanged records
	// in their span (batch.unchangedKeys). A batch that sends one of
	// those records waits for them too; their unchanged records wait for
	// nothing, having nothing to send. Kept as sorted slices rather than
	// in last: up to 100,000 keys a batch, 8 bytes each.
	unchanged []*batch
}

func newKeyGuard() *keyGuard {
	return &keyGuard{seed: maphash.MakeSeed(), last: make(map[uint64]*batch)}
}

// key is the form in which the guard holds the record that id names: its
// canonical id, so that two ids HubSpot may take for one record are one
// key, hashed.
func (g *keyGuard) key(id string) uint64 { return maphash.String(g.seed, sink.CanonicalID(id)) }

// enqueue puts b, whose keys must be distinct, behind every batch enqueued
// before it with one of its keys. b.ready is closed once none is left.
// Batches must be enqueued in file order.
func (g *keyGuard) enqueue(b *batch) {
	b.ready = make(chan struct{})
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range b.keys {
		if prev := g.last[k]; prev != nil {
			prev.next = append(prev.next, b)
			b.blocked++
		}
		g.last[k] = b
	}
	for _, u := range g.unchanged {
		if holdsAny(u.unchangedKeys, b.keys) {
			u.next = append(u.next, b)
			b.blocked++
		}
	}
	if len(b.unchangedKeys) > 0 {
		g.unchanged = append(g.unchanged, b)
	}
	if b.blocked == 0 {
		close(b.ready)
	}
}

// holdsAny reports whether sorted holds one of keys.
func holdsAny(sorted, keys []uint64) bool {
	for _, k := range keys {
		if _, found := slices.BinarySearch(sorted, k); found {
			return true
		}
	}
	return false
}

// hold puts b, a batch with nothing to send, in the guard without making
// it wait: the committer settles it at once. The batches enqueued after
// it that send one of its unchanged records wait until the committer has
// settled it or dropped it (a stop), so that none settles before it.
func (g *keyGuard) hold(b *batch) {
	b.ready = make(chan struct{})
	close(b.ready)
	if len(b.unchangedKeys) == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.unchanged = append(g.unchanged, b)
}

// release removes b, settled or never to be sent, and readies the batches
// that waited for it alone. A batch that was not ready must have no batch
// enqueued after it (the dispatcher giving up on the batch it was handing
// over): one behind it could otherwise overtake a batch b waited for.
func (g *keyGuard) release(b *batch) {
	if len(b.keys) == 0 && len(b.unchangedKeys) == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(b.unchangedKeys) > 0 {
		g.unchanged = slices.DeleteFunc(g.unchanged, func(u *batch) bool { return u == b })
	}
	for _, k := range b.keys {
		if g.last[k] == b {
			delete(g.last, k)
		}
	}
	for _, n := range b.next {
		if n.blocked--; n.blocked == 0 {
			close(n.ready)
		}
	}
	b.next = nil
}
