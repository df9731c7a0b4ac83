package syncstate

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"slices"
)

// Entry is what the state holds for one record: the hash of its id and
// the fingerprint of the property values HubSpot confirmed for it.
type Entry struct {
	Key uint64   // first 8 bytes of SHA-256 of the canonical id
	FP  [16]byte // first 16 bytes of SHA-256 of the id and the values sent
}

// Prop is one property as it goes on the wire.
type Prop = struct{ Name, Value string }

// entrySize is the size of an Entry in the state and journal files.
const entrySize = 24

// NewEntry returns the entry of a record: its key is the hash of
// canonicalID (sink.CanonicalID of the id, applied by the caller), its
// fingerprint the hash of wireID, the id exactly as it goes on the wire,
// and of the property values props as they go on the wire, after mapping
// and coercion. The order of props does not matter. The id and every name
// and value are length-prefixed, so that no two different records hash
// the same bytes ("a"+"bc" is not "ab"+"c").
//
// The key folds ids that HubSpot may take for one record ("00123" and
// "123"), so that their rows meet in one entry and are sent in file order;
// the fingerprint does not, so that when they are two records (a string id
// property) one's confirmed values never make the other look unchanged.
// Two ids whose keys collide likewise have different fingerprints: a key
// collision can only cause a send, never a wrong skip.
func NewEntry(canonicalID, wireID string, props []Prop) Entry {
	sorted := slices.Clone(props)
	slices.SortFunc(sorted, func(a, b Prop) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Value, b.Value))
	})
	h := sha256.New()
	buf := appendString(nil, wireID)
	for _, p := range sorted {
		buf = appendString(buf, p.Name)
		buf = appendString(buf, p.Value)
		if len(buf) > 4096 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	var e Entry
	e.Key = KeyOf(canonicalID)
	copy(e.FP[:], h.Sum(nil))
	if e.FP == tombstone {
		e.FP[15] = 1 // odds 2^-128, but a real record must never look intended only
	}
	return e
}

// KeyOf is the key of the record whose canonical id is canonicalID: the
// first 8 bytes of its SHA-256.
func KeyOf(canonicalID string) uint64 {
	sum := sha256.Sum256([]byte(canonicalID))
	return binary.BigEndian.Uint64(sum[:8])
}

// tombstone is the fingerprint of an intent (Store.Intend): no record's
// values have it, so a record whose entry it is always looks changed.
var tombstone [16]byte

// appendString appends s to b, preceded by its length.
func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// put writes e into b[:entrySize], the key big-endian so that the byte
// order of entries is their key order.
func (e Entry) put(b []byte) {
	binary.BigEndian.PutUint64(b, e.Key)
	copy(b[8:entrySize], e.FP[:])
}

// getEntry reads what put wrote.
func getEntry(b []byte) Entry {
	e := Entry{Key: binary.BigEndian.Uint64(b)}
	copy(e.FP[:], b[8:entrySize])
	return e
}

// settingsHash is the SHA-256 of settings, sorted by name, each name and
// value length-prefixed.
func settingsHash(settings map[string]string) [32]byte {
	var buf []byte
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		buf = appendString(buf, k)
		buf = appendString(buf, settings[k])
	}
	return sha256.Sum256(buf)
}
