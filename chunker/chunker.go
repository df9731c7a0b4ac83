// Package chunker groups records into batches for HubSpot's batch endpoints.
//
// A Chunker is a plain object with Add and Flush and no goroutines: the loop
// that feeds it lives in package pipeline. It enforces the two rules of a
// batch/update request: at most Size inputs, and no key (record id or
// idProperty value) twice in one request, which HubSpot rejects as a whole
// (docs/hubspot-api.md §7). A record whose key is already in the open batch seals that
// batch and opens the next one, so every batch is a contiguous run of the
// input and rows for one record keep their file order across batches.
package chunker

import "fmt"

// MaxSize is the largest batch HubSpot accepts (docs/hubspot-api.md §3).
const MaxSize = 100

// Chunker collects items of type T into batches, telling records apart by
// keys of type K. It is not safe for concurrent use.
type Chunker[T any, K comparable] struct {
	size  int
	open  []T
	keys  map[K]struct{}
	count int // batches sealed so far
}

// New returns a Chunker that seals batches of at most size items.
func New[T any, K comparable](size int) (*Chunker[T, K], error) {
	if size < 1 || size > MaxSize {
		return nil, fmt.Errorf("batch size %d: must be between 1 and %d", size, MaxSize)
	}
	return &Chunker[T, K]{size: size, keys: make(map[K]struct{}, size)}, nil
}

// Add puts item, identified by key, into the open batch. It returns the
// batch it sealed, if any: the open batch before item when key is already in
// it, or the batch that item filled. At most one batch is sealed per call.
// The returned slice belongs to the caller.
func (c *Chunker[T, K]) Add(item T, key K) (sealed []T) {
	if _, dup := c.keys[key]; dup {
		sealed = c.seal()
	}
	c.open = append(c.open, item)
	c.keys[key] = struct{}{}
	if len(c.open) == c.size {
		// Never reached with a batch already sealed above: after that seal
		// the open batch holds one item, and with size 1 the open batch is
		// always empty on entry, so no key can repeat.
		sealed = c.seal()
	}
	return sealed
}

// Flush seals and returns the open batch, or nil when it is empty.
func (c *Chunker[T, K]) Flush() []T {
	if len(c.open) == 0 {
		return nil
	}
	return c.seal()
}

// Len reports how many items wait in the open batch.
func (c *Chunker[T, K]) Len() int { return len(c.open) }

// Sealed reports how many batches have been sealed so far.
func (c *Chunker[T, K]) Sealed() int { return c.count }

func (c *Chunker[T, K]) seal() []T {
	b := c.open
	c.open = make([]T, 0, c.size)
	clear(c.keys)
	c.count++
	return b
}
