package source

import (
	"bufio"
	"bytes"
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
}

func newInput(rs io.ReadSeeker) *input {
	return &input{rs: rs, br: bufio.NewReaderSize(rs, bufSize), line: 1}
}

// seek moves to a file offset whose line number the caller knows.
func (in *input) seek(off, line int64) error {
	if _, err := in.rs.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("seek to offset %d: %w", off, err)
	}
	in.br.Reset(in.rs)
	in.off, in.line = off, line
	return nil
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
	in.off += int64(len(b))
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
