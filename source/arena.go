package source

import "strings"

// arenaBytes is the size of one block of record text, and arenaSlots the
// number of strings or props in one block of slices: enough for a few
// hundred typical rows, so that the allocator and the garbage collector see
// one object where they would see three per record.
const (
	arenaBytes = 64 << 10
	arenaSlots = 2048
)

// arena hands out the memory of the records a reader returns: their text,
// Raw, Fields and Props, carved from blocks shared by the records
// read around them. A record still owns what it is given: the arena never
// writes what it has handed out, and no two records share an element (the
// record's owner may rewrite its own, as mapping does). A block lives as
// long as any record carved from it, so what is kept alive is bounded by
// the records alive plus one block of each kind.
type arena struct {
	textBlock strings.Builder
	byteBlock []byte
	strBlock  []string
	propBlock []Prop
}

// text returns a string holding b. Earlier strings stay valid: the builder
// only ever appends, and starts a new block when this one is full.
func (a *arena) text(b []byte) string {
	if a.textBlock.Cap()-a.textBlock.Len() < len(b) {
		if len(b) > arenaBytes/4 {
			return string(b) // a large row gets its own allocation
		}
		a.textBlock = strings.Builder{}
		a.textBlock.Grow(arenaBytes)
	}
	start := a.textBlock.Len()
	a.textBlock.Write(b)
	return a.textBlock.String()[start:]
}

// bytes returns a copy of b whose capacity is its length.
func (a *arena) bytes(b []byte) []byte {
	if len(b) > arenaBytes/4 {
		return append([]byte(nil), b...)
	}
	if cap(a.byteBlock)-len(a.byteBlock) < len(b) {
		a.byteBlock = make([]byte, 0, arenaBytes)
	}
	n := len(a.byteBlock)
	a.byteBlock = append(a.byteBlock, b...)
	return a.byteBlock[n:len(a.byteBlock):len(a.byteBlock)]
}

// strSlice returns a zeroed slice of n strings whose capacity is n, so that
// appending to it never writes into a neighbour's.
func (a *arena) strSlice(n int) []string {
	if n > arenaSlots/8 {
		return make([]string, n)
	}
	if len(a.strBlock) < n {
		a.strBlock = make([]string, arenaSlots)
	}
	s := a.strBlock[:n:n]
	a.strBlock = a.strBlock[n:]
	return s
}

// props returns an empty slice of capacity n, sharing no element with any
// other slice handed out.
func (a *arena) props(n int) []Prop {
	if n == 0 {
		return []Prop{} // empty, not nil, whichever block is at hand
	}
	if n > arenaSlots/8 {
		return make([]Prop, 0, n)
	}
	if len(a.propBlock) < n {
		a.propBlock = make([]Prop, arenaSlots)
	}
	p := a.propBlock[:0:n]
	a.propBlock = a.propBlock[n:]
	return p
}
