package syncstate

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"sort"
)

// Fan-out index sizes: about 8 entries a bucket, at most 2^20 buckets
// (a 4 MiB index; 10M records then make about 10 entries, 240 bytes, a
// bucket).
const (
	entriesPerBucket = 8
	maxBucketBits    = 20
)

// generation is an open state file, looked up without holding its
// entries in the heap: the index says where each bucket of keys starts,
// and a lookup reads that one bucket with ReadAt.
type generation struct {
	f     *os.File // nil when the target has no state yet
	count int64
	shift uint     // a key's bucket is key >> shift
	index []uint32 // bucket b holds the entries [index[b], index[b+1])
	buf   []byte   // room for the largest bucket
}

// openGeneration opens the state file at path and builds its index in one
// sequential read, checking the header, the size, the checksum and the
// key order. No file means no state yet: an empty generation.
func openGeneration(path string, settings [32]byte) (*generation, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &generation{shift: 64, index: make([]uint32, 2)}, nil
	}
	if err != nil {
		return nil, err
	}
	g := &generation{f: f}
	if err := g.load(settings); err != nil {
		f.Close()
		return nil, err
	}
	return g, nil
}

// load reads the header and every entry once to build the index.
func (g *generation) load(settings [32]byte) error {
	h, err := readStateHeader(g.f, settings)
	if err != nil {
		return err
	}
	g.count = int64(h.count)
	bucketBits := min(bits.Len64(h.count/entriesPerBucket), maxBucketBits)
	g.shift = uint(64 - bucketBits)
	g.index = make([]uint32, 1<<bucketBits+1)
	crc, err := g.countBuckets()
	if err != nil {
		return err
	}
	if crc != h.crc {
		return errChecksum
	}
	largest := uint32(0)
	for b := 1; b < len(g.index); b++ {
		largest = max(largest, g.index[b])
		g.index[b] += g.index[b-1]
	}
	g.buf = make([]byte, int(largest)*entrySize)
	return nil
}

// countBuckets reads the entries, counting those of bucket b in
// index[b+1], and returns their checksum.
func (g *generation) countBuckets() (uint32, error) {
	r := io.NewSectionReader(g.f, headerSize, g.count*entrySize)
	chunk := make([]byte, 4096*entrySize)
	var crc uint32
	var prev uint64
	for read := int64(0); read < g.count; {
		n := min(g.count-read, 4096)
		b := chunk[:n*entrySize]
		if _, err := io.ReadFull(r, b); err != nil {
			return 0, err
		}
		crc = crc32.Update(crc, crcTable, b)
		for i := 0; i < len(b); i += entrySize {
			key := binary.BigEndian.Uint64(b[i:])
			if read > 0 && key <= prev {
				return 0, errOrder
			}
			prev = key
			g.index[key>>g.shift+1]++
			read++
		}
	}
	return crc, nil
}

// lookup finds key: its entry index and fingerprint. One ReadAt of the
// key's bucket; the page cache, not the heap, holds the file.
func (g *generation) lookup(key uint64) (idx int64, fp [16]byte, found bool, err error) {
	b := key >> g.shift
	lo, hi := int64(g.index[b]), int64(g.index[b+1])
	if lo == hi {
		return 0, fp, false, nil
	}
	buf := g.buf[:(hi-lo)*entrySize]
	if _, err := g.f.ReadAt(buf, headerSize+lo*entrySize); err != nil {
		return 0, fp, false, err
	}
	n := int(hi - lo)
	i := sort.Search(n, func(i int) bool { return binary.BigEndian.Uint64(buf[i*entrySize:]) >= key })
	if i == n || binary.BigEndian.Uint64(buf[i*entrySize:]) != key {
		return 0, fp, false, nil
	}
	copy(fp[:], buf[i*entrySize+8:])
	return lo + int64(i), fp, true, nil
}

func (g *generation) close() error {
	if g.f == nil {
		return nil
	}
	err := g.f.Close()
	g.f = nil
	return err
}

// bitmap is one bit per state entry.
type bitmap []uint64

func newBitmap(n int64) bitmap    { return make(bitmap, (n+63)/64) }
func (m bitmap) set(i int64)      { m[i/64] |= 1 << (i % 64) }
func (m bitmap) has(i int64) bool { return m[i/64]&(1<<(i%64)) != 0 }
func (m bitmap) count() (n int64) {
	for _, w := range m {
		n += int64(bits.OnesCount64(w))
	}
	return n
}
