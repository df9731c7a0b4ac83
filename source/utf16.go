package source

import (
	"encoding/binary"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// utf16Reader turns a UTF-16 file into UTF-8 for the parsers, and notes
// the file offset just past each line feed it returns, so that the offsets
// of records, which start after a line feed, stay those of the file: a
// resume seeks to them as in any file. A line feed is a whole code unit,
// and no surrogate pair spans one, so such an offset is always a place to
// start decoding from.
type utf16Reader struct {
	r     io.Reader
	order binary.ByteOrder
	src   []byte  // undecoded bytes, src[:n] valid
	n     int     // bytes of src not yet decoded
	pos   int64   // file offset of src[0]
	eof   bool    // r has ended
	buf   []byte  // decoded text
	out   []byte  // the part of buf not yet returned
	nl    []int64 // offsets just past the line feeds returned and not yet claimed
	high  uint16  // a high surrogate waiting for its pair
}

func newUTF16Reader(r io.Reader, order binary.ByteOrder, off int64) *utf16Reader {
	return &utf16Reader{r: r, order: order, src: make([]byte, 32<<10), pos: off}
}

// reset starts decoding r afresh at file offset off.
func (u *utf16Reader) reset(r io.Reader, off int64) {
	u.r, u.n, u.pos, u.eof, u.nl, u.high, u.out = r, 0, off, false, u.nl[:0], 0, nil
}

// nextLineEnd returns the file offset just past the oldest line feed
// returned by Read and not yet claimed.
func (u *utf16Reader) nextLineEnd() (int64, bool) {
	if len(u.nl) == 0 {
		return 0, false
	}
	off := u.nl[0]
	u.nl = u.nl[1:]
	return off, true
}

// Read fills p with UTF-8. A code unit that is no character (a lone
// surrogate, an odd byte at the end of the file) becomes invalidByte.
func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if err := u.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// fill reads more of the file and decodes it into u.out; io.EOF when the
// file has ended and everything was returned.
func (u *utf16Reader) fill() error {
	if !u.eof {
		m, err := u.r.Read(u.src[u.n:])
		u.n += m
		switch {
		case err == io.EOF:
			u.eof = true
		case err != nil:
			return err
		}
	}
	b := u.buf[:0]
	i := 0
	for ; i+2 <= u.n; i += 2 {
		c := u.order.Uint16(u.src[i:])
		if u.high != 0 {
			if c >= 0xDC00 && c < 0xE000 {
				b = utf8.AppendRune(b, utf16.DecodeRune(rune(u.high), rune(c)))
				u.high = 0
				continue
			}
			b, u.high = append(b, invalidByte), 0
		}
		switch {
		case c >= 0xD800 && c < 0xDC00:
			u.high = c
		case c >= 0xDC00 && c < 0xE000:
			b = append(b, invalidByte)
		default:
			b = utf8.AppendRune(b, rune(c))
			if c == '\n' {
				u.nl = append(u.nl, u.pos+int64(i)+2)
			}
		}
	}
	copy(u.src, u.src[i:u.n])
	u.n -= i
	u.pos += int64(i)
	if u.eof && (u.n == 1 || u.high != 0) {
		b = append(b, invalidByte) // cut in the middle of a character
		u.pos += int64(u.n)
		u.n, u.high = 0, 0
	}
	u.buf, u.out = b, b
	if u.eof && len(b) == 0 {
		return io.EOF
	}
	return nil
}
