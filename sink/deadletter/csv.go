package deadletter

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/hubsync/hubsync/source"
)

// The columns a CSV dead-letter file adds to the input's.
var addedColumns = []string{"_error_code", "_error_message", "_source_line"}

// csvLayout maps an input file's columns onto the dead-letter file's.
type csvLayout struct {
	header []string // the dead-letter file's header
	src    []int    // src[k]: the input column of output column k < len(src)
	idIn   int      // the input's id column, or -1
	idOut  int      // the output's id column, or -1
	inLen  int      // number of input columns
	cells  []string // reused row
}

func newCSVLayout(inputHeader []string, idColumn string) *csvLayout {
	l := &csvLayout{idIn: -1, idOut: -1, inLen: len(inputHeader)}
	for i, name := range inputHeader {
		if source.IgnoredColumn(name) {
			continue
		}
		if name == idColumn {
			l.idIn, l.idOut = i, len(l.src)
		}
		l.src = append(l.src, i)
		l.header = append(l.header, name)
	}
	l.header = append(l.header, addedColumns...)
	l.cells = make([]string, len(l.header))
	return l
}

func (w *Writer) writeCSVHeader() error {
	w.entry.Reset()
	if err := writeRow(&w.entry, w.csv.header); err != nil {
		return err
	}
	return w.put()
}

// check compares the file's first row with the header.
func (l *csvLayout) check(r io.Reader) error {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	got, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	if len(got) > 0 {
		got[0] = string(bytes.TrimPrefix([]byte(got[0]), []byte("\xef\xbb\xbf")))
	}
	if !slices.Equal(got, l.header) {
		return fmt.Errorf("%w: it has the columns %q, this input needs %q: move the file away or pass --dead-letter with another path",
			ErrHeaderMismatch, got, l.header)
	}
	return nil
}

// entry writes rec's cells in the output's columns, then code, message and
// line. A row whose cells do not match the header one for one keeps only its
// id cell: padded or cut, its cells could land under the wrong columns and
// be sent that way when the file is fed back in unfixed. Then, and whenever
// the reader kept the original text (rec.Raw), that text ends the message,
// so that nothing is lost.
func (l *csvLayout) entry(buf *bytes.Buffer, rec *source.Record, code, message string) error {
	clear(l.cells)
	if rec.Fields != nil && len(rec.Fields) == l.inLen {
		for k, i := range l.src {
			if i < len(rec.Fields) {
				l.cells[k] = rec.Fields[i]
			}
		}
	} else if l.idOut >= 0 {
		l.cells[l.idOut] = rec.ID
		if rec.ID == "" && l.idIn < len(rec.Fields) {
			l.cells[l.idOut] = rec.Fields[l.idIn]
		}
	}
	if rec.Raw != nil {
		// The reader keeps only the first bytes of a record too long to
		// buffer (the line terminator, at most 2 bytes, is never kept).
		if int64(len(rec.Raw))+2 < rec.End-rec.Offset {
			message += fmt.Sprintf("; first %d bytes of the original row: %s", len(rec.Raw), rec.Raw)
		} else {
			message += "; original row: " + string(rec.Raw)
		}
	}
	n := len(l.src)
	l.cells[n], l.cells[n+1], l.cells[n+2] = code, message, strconv.FormatInt(rec.Line, 10)
	return writeRow(buf, l.cells)
}

func writeRow(buf *bytes.Buffer, cells []string) error {
	cw := csv.NewWriter(buf)
	if err := cw.Write(cells); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// csvEntriesEnd returns the offset just past the last complete row of a CSV
// file written by encoding/csv: the last '\n' outside quotes.
func csvEntriesEnd(r io.Reader) (int64, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var off, end int64
	quoted := false
	for {
		b, err := br.ReadSlice('\n')
		if bytes.Count(b, []byte{'"'})%2 == 1 {
			quoted = !quoted
		}
		off += int64(len(b))
		if len(b) > 0 && b[len(b)-1] == '\n' && !quoted {
			end = off
		}
		switch {
		case err == io.EOF:
			return end, nil
		case err != nil && err != bufio.ErrBufferFull:
			return 0, fmt.Errorf("read file: %w", err)
		}
	}
}
