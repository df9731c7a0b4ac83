package sink

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync/atomic"
	"unicode/utf8"
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
// Input i gets trace id (prefix, start+i). Properties keep their order.
// It uses no reflection: this runs once per batch on the hot path.
func encodeBatch(dst []byte, inputs []Input, idProperty, prefix string, start uint64) []byte {
	// Inputs mostly repeat the same property names in the same order: a
	// name equal to the one at its position in the input before, and found
	// then to need no escaping, is copied as it is.
	var names [24]string
	var plain [24]bool
	dst = append(dst, `{"inputs":[`...)
	for i, in := range inputs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"id":`...)
		dst = appendJSONString(dst, in.ID)
		dst = append(dst, `,"properties":{`...)
		for j, p := range in.Props {
			if j > 0 {
				dst = append(dst, ',')
			}
			switch {
			case j < len(names) && plain[j] && names[j] == p.Name:
				dst = append(dst, '"')
				dst = append(dst, p.Name...)
				dst = append(dst, '"')
			case j < len(names):
				n := len(dst)
				dst = appendJSONString(dst, p.Name)
				// Escaping only ever lengthens a string.
				names[j], plain[j] = p.Name, len(dst)-n == len(p.Name)+2
			default:
				dst = appendJSONString(dst, p.Name)
			}
			dst = append(dst, ':')
			dst = appendJSONString(dst, p.Value)
		}
		dst = append(dst, '}')
		if idProperty != "" {
			dst = append(dst, `,"idProperty":`...)
			dst = appendJSONString(dst, idProperty)
		}
		dst = append(dst, `,"objectWriteTraceId":"`...)
		dst = appendTraceID(dst, prefix, start+uint64(i))
		dst = append(dst, `"}`...)
	}
	return append(dst, "]}"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. It escapes '"', '\\', control
// characters, U+2028 and U+2029, and replaces invalid UTF-8 bytes with
// U+FFFD, as encoding/json does (without its HTML escaping).
func appendJSONString(dst []byte, s string) []byte {
	if plainASCII(s) { // most names and values: copied in one go
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	return appendEscaped(dst, s)
}

// plainASCII reports whether s is ASCII that needs no escape, looking at
// eight bytes at a time.
func plainASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if v := load64(s[i:]); specialBytes(v)|v&highBits != 0 {
			return false
		}
	}
	// The rest, after spaces, which need no escape.
	v := uint64(lowBits * ' ')
	for ; i < len(s); i++ {
		v = v<<8 | uint64(s[i])
	}
	return specialBytes(v)|v&highBits == 0
}

// appendEscaped is appendJSONString for a string that needs an escape or
// is not ASCII.
func appendEscaped(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while all are plain ASCII that needs no
		// escape: most names and values are.
		if i+8 <= len(s) {
			if v := load64(s[i:]); specialBytes(v)|v&highBits == 0 {
				i += 8
				continue
			}
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// load64 reads the first eight bytes of s as a little-endian uint64; the
// compiler turns it into one load.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
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
