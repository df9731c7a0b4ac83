package source

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

const bufSize = 64 << 10

var bom = []byte{0xEF, 0xBB, 0xBF}

// input reads a file in line fragments and knows the file offset and line
// number of the next byte it will return.
type input struct {
	rs   io.ReadSeeker
	br   *bufio.Reader
	off  int64 // file offset of the next byte
	line int64 // 1-based line number of the next byte
	// u16, for a UTF-16 file, decodes it to UTF-8 under br. Offsets stay
	// the file's: off is known after each line feed and at the end of the
	// file, which is where records start and end; inside a line it keeps
	// the offset of the line's start.
	u16 *utf16Reader
}

func newInput(rs io.ReadSeeker) *input {
	return &input{rs: rs, br: bufio.NewReaderSize(rs, bufSize), line: 1}
}

// seek moves to a file offset whose line number the caller knows.
func (in *input) seek(off, line int64) error {
	if in.u16 != nil {
		off = max(off, utf16BOMLen) // the byte order mark is no text
	}
	if _, err := in.rs.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("seek to offset %d: %w", off, err)
	}
	if in.u16 != nil {
		in.u16.reset(in.rs, off)
		in.br.Reset(in.u16)
	} else {
		in.br.Reset(in.rs)
	}
	in.off, in.line = off, line
	return nil
}

// utf16BOMLen is the length of a UTF-16 byte order mark.
const utf16BOMLen = 2

// startUTF16 makes in decode the file as UTF-16 in byte order order, from
// just past its byte order mark.
func (in *input) startUTF16(order binary.ByteOrder) error {
	in.u16 = newUTF16Reader(in.rs, order, utf16BOMLen)
	return in.seek(utf16BOMLen, 1)
}

// sniff returns the first bytes of the file (up to 3), read directly, and
// leaves the reading position to the next seek.
func (in *input) sniff() ([]byte, error) {
	if _, err := in.rs.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("seek to the start: %w", err)
	}
	b := make([]byte, 3)
	n, err := io.ReadFull(in.rs, b)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("read start of file: %w", err)
	}
	return b[:n], nil
}

// skipBOM discards a UTF-8 byte order mark at the start of the file.
func (in *input) skipBOM() error {
	if in.off != 0 {
		return nil
	}
	b, err := in.br.Peek(len(bom))
	if err != nil && err != io.EOF {
		return fmt.Errorf("read start of file: %w", err)
	}
	if bytes.Equal(b, bom) {
		in.br.Discard(len(bom)) //nolint:errcheck // the bytes are buffered
		in.off += int64(len(bom))
	}
	return nil
}

// fragment returns the next bytes up to and including a '\n', or fewer when
// the buffer fills up (err nil, no '\n' at the end) or the file ends (err
// io.EOF, possibly with bytes). The slice is valid until the next call.
// Any other error is an I/O error.
func (in *input) fragment() ([]byte, error) {
	b, err := in.br.ReadSlice('\n')
	switch {
	case in.u16 == nil:
		in.off += int64(len(b))
	case len(b) > 0 && b[len(b)-1] == '\n':
		in.off, _ = in.u16.nextLineEnd()
	case err == io.EOF:
		in.off = in.u16.pos
	}
	if len(b) > 0 && b[len(b)-1] == '\n' {
		in.line++
	}
	switch {
	case err == nil || errors.Is(err, bufio.ErrBufferFull):
		return b, nil
	case err == io.EOF:
		return b, io.EOF
	default:
		return b, fmt.Errorf("read at offset %d: %w", in.off, err)
	}
}

// skipLine discards the rest of the current line, its '\n' included,
// without buffering it. prev is the byte read just before (to see a "\r\n"
// split across two reads). It returns how many bytes it discarded, how
// many of them are the line terminator, and whether the line ended with a
// '\n' rather than with the file.
func (in *input) skipLine(prev byte) (n, term int64, eol bool, err error) {
	for {
		b, err := in.fragment()
		if err != nil && err != io.EOF {
			return n, term, false, err
		}
		n += int64(len(b))
		if k := len(b); k > 0 {
			switch {
			case b[k-1] == '\n' && (k >= 2 && b[k-2] == '\r' || k == 1 && prev == '\r'):
				return n, 2, true, nil
			case b[k-1] == '\n':
				return n, 1, true, nil
			case err == io.EOF && b[k-1] == '\r':
				return n, 1, false, nil
			}
			prev = b[k-1]
		}
		if err == io.EOF {
			return n, 0, false, nil
		}
	}
}

// incomplete is the error of a file's last record when the file ends
// without a line end after it and changed while it was read: the record
// may be a line still being written, cut short, so none of it is sent.
func incomplete(line int64) *RecordError {
	return &RecordError{Code: CodeIncomplete, Message: fmt.Sprintf(
		"line %d: the file changed while it was read and its last line has no line end, so it may be cut short: "+
			"rerun once the export has finished", line)}
}

// tooLargeMessage explains a RECORD_TOO_LARGE record.
func tooLargeMessage(line, size int64, max int) string {
	return fmt.Sprintf("line %d: record is %d bytes, longer than the limit of %d bytes: raise --max-record-bytes to read it",
		line, size, max)
}

// terminator returns the length of the line terminator ending b at the end
// of a record: "\n", "\r\n", or at the end of the file a lone "\r" (which
// encoding/csv drops too).
func terminator(b []byte, eof bool) int {
	n := len(b)
	switch {
	case n >= 2 && b[n-2] == '\r' && b[n-1] == '\n':
		return 2
	case n >= 1 && b[n-1] == '\n':
		return 1
	case eof && n >= 1 && b[n-1] == '\r':
		return 1
	}
	return 0
}
