package sink

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/go-json-experiment/json/jsontext"
)

// tracer hands out objectWriteTraceIds "<prefix>-<seq>", seq zero-padded to
// six digits. The prefix is random per Client, so ids from two runs or two
// clients never collide. Safe for concurrent use.
type tracer struct {
	prefix string // e.g. "hs-3f9a1c2b"
	seq    atomic.Uint64
}

func newTracer() (*tracer, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("make trace prefix: %w", err)
	}
	return &tracer{prefix: "hs-" + hex.EncodeToString(b[:])}, nil
}

// reserve takes n consecutive sequence numbers and returns the first.
func (t *tracer) reserve(n int) uint64 {
	return t.seq.Add(uint64(n)) - uint64(n) + 1
}

const traceDigits = 6

func appendTraceID(dst []byte, prefix string, seq uint64) []byte {
	dst = append(dst, prefix...)
	dst = append(dst, '-')
	var num [20]byte
	d := strconv.AppendUint(num[:0], seq, 10)
	for i := len(d); i < traceDigits; i++ {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}

// traceIndex returns the index in a batch of n inputs, whose first trace
// sequence number is start, of the input that was sent trace id s; -1 if s is
// not one of them.
func traceIndex(s, prefix string, start uint64, n int) int {
	if len(s) <= len(prefix)+1 || s[:len(prefix)] != prefix || s[len(prefix)] != '-' {
		return -1
	}
	digits := s[len(prefix)+1:]
	seq, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || seq < start || seq-start >= uint64(n) {
		return -1
	}
	// Reject other spellings of the same number ("42" for "000042").
	if len(digits) != max(traceDigits, decimalWidth(seq)) {
		return -1
	}
	return int(seq - start)
}

func decimalWidth(n uint64) int {
	w := 1
	for ; n >= 10; n /= 10 {
		w++
	}
	return w
}

// encodeBatch appends the JSON request body for inputs to dst:
//
//	{"inputs":[{"id":…,"properties":{…},"idProperty":…,"objectWriteTraceId":…},…]}
//
// Input i gets trace id (prefix, start+i). Properties keep their order,
// which rules out encoding/json's maps; the body is written by hand, and
// every string goes through the one JSON string escaper, appendString.
func encodeBatch(dst []byte, inputs []Input, idProperty, prefix string, start uint64) []byte {
	dst = append(dst, `{"inputs":[`...)
	for i, in := range inputs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"id":`...)
		dst = appendString(dst, in.ID)
		dst = append(dst, `,"properties":{`...)
		for j, p := range in.Props {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, p.Name)
			dst = append(dst, ':')
			dst = appendString(dst, p.Value)
		}
		dst = append(dst, '}')
		if idProperty != "" {
			dst = append(dst, `,"idProperty":`...)
			dst = appendString(dst, idProperty)
		}
		dst = append(dst, `,"objectWriteTraceId":"`...)
		dst = appendTraceID(dst, prefix, start+uint64(i))
		dst = append(dst, `"}`...)
	}
	return append(dst, "]}"...)
}

// appendString appends s as a JSON string, with jsontext's escaping: '"',
// '\\' and control characters escaped, nothing else (no HTML escaping),
// and invalid UTF-8 replaced by U+FFFD, which is also what encoding/json
// sends. The error only reports that replacement, so it is dropped.
func appendString(dst []byte, s string) []byte {
	dst, _ = jsontext.AppendQuote(dst, s)
	return dst
}

// buffer is a reusable byte slice, recycled through Client.bufs.
type buffer struct{ b []byte }

// maxPooledBuffer keeps one oversized batch from pinning memory for good.
const maxPooledBuffer = 4 << 20

func (c *Client) getBuffer() *buffer {
	if b, ok := c.bufs.Get().(*buffer); ok {
		return b
	}
	return new(buffer)
}

func (c *Client) putBuffer(b *buffer) {
	if cap(b.b) > maxPooledBuffer {
		return
	}
	b.b = b.b[:0]
	c.bufs.Put(b)
}
