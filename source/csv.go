package source

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// column kinds of a CSV header.
const (
	colProp uint8 = iota
	colID
	colIgnored
)

// CSVReader reads the records of a CSV file with a header row.
// It is not safe for concurrent use.
type CSVReader struct {
	sc      csvScanner
	header  []string
	kinds   []uint8 // colProp, colID or colIgnored, per column
	idCol   int
	empty   EmptyMode
	max     int
	body    int64 // offset just past the header row
	changed func() bool
	enc     Encoding   // as read: a byte order mark overrides Options.Encoding
	table   *byteTable // single-byte encodings: cells are converted with it
}

// NewCSV reads the header row from the start of r (always), then moves to
// opts.Start if that is past the header. A header that cannot be used is
// reported as a *HeaderError, which wraps ErrNoHeader, ErrBadHeader,
// ErrBareCR, ErrEmptyColumn, ErrDuplicateColumn or ErrNoIDColumn. Other
// errors come from r.
func NewCSV(r io.ReadSeeker, opts Options) (*CSVReader, error) {
	opts = opts.withDefaults()
	if err := opts.checkStart(); err != nil {
		return nil, err
	}
	c := &CSVReader{sc: csvScanner{in: newInput(r), max: opts.MaxRecordBytes}, empty: opts.Empty, max: opts.MaxRecordBytes,
		changed: opts.Changed}
	in := c.sc.in
	if err := c.startEncoding(opts.Encoding); err != nil {
		return nil, err
	}
	toStart := func() error {
		if err := in.seek(0, 1); err != nil {
			return err
		}
		return in.skipBOM()
	}
	if err := toStart(); err != nil {
		return nil, err
	}
	c.sc.p.sep = opts.Delimiter
	if c.sc.p.sep != 0 && c.sc.p.sep != ',' {
		// A dead-letter file is written with ',' whatever the input's
		// delimiter, and is fed back through the input's config: split
		// with ';', its header would be one unknown column.
		dl, err := isDeadLetterHeader(in, c.max)
		if err != nil {
			return nil, err
		}
		if err := toStart(); err != nil {
			return nil, err
		}
		if dl {
			c.sc.p.sep = ','
		}
	}
	if c.sc.p.sep == 0 {
		sep, err := detectDelimiter(in, c.max)
		if err != nil {
			return nil, err
		}
		if err := toStart(); err != nil {
			return nil, err
		}
		c.sc.p.sep = sep
	}
	if err := c.readHeader(opts.IDColumn); err != nil {
		return nil, err
	}
	c.body = in.off
	if start := opts.Start; start.Offset > 0 && start.Offset != in.off {
		if start.Offset < in.off {
			return nil, fmt.Errorf("resume at offset %d: the header row ends at offset %d", start.Offset, in.off)
		}
		if err := in.seek(start.Offset, start.Line); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *CSVReader) readHeader(idColumn string) error {
	var h row
	switch err := c.sc.scan(&h); {
	case err == io.EOF:
		name := idColumn
		if name == "" {
			name = DefaultIDColumn
		}
		return &HeaderError{Err: ErrNoHeader, Detail: fmt.Sprintf(
			"the file is empty or blank: its first line must be a header row naming the columns, one of them %q", name)}
	case err != nil:
		return fmt.Errorf("read header: %w", err)
	case bareCR(h.raw, c.sc.p.sep) >= 0:
		// Checked first: with lone CRs the whole file is one line, too
		// long or holding an open quote, and saying so would mislead.
		return &HeaderError{Err: ErrBareCR, Detail: fmt.Sprintf(
			"the header row at line %d holds a carriage return that ends no line, at its byte %d: the file's lines seem to end in a lone CR, "+
				"as old Mac software writes them, so the whole file would be one row; convert the line ends, "+
				"e.g. with tr '\\r' '\\n' < in.csv > out.csv, or save the file as CSV with Windows or Unix line ends",
			h.line, bareCR(h.raw, c.sc.p.sep)+1)}
	case h.status == rowTooLarge:
		return &HeaderError{Err: ErrBadHeader, Detail: fmt.Sprintf(
			"the header row is %d bytes, longer than the limit of %d bytes: raise --max-record-bytes", h.size, c.max)}
	case h.status == rowUnterminated:
		return &HeaderError{Err: ErrBadHeader, Detail: fmt.Sprintf(
			"unterminated quoted field starting at line %d: close the quote in the header row", h.quoteLine)}
	case c.sc.p.bad != "":
		return &HeaderError{Err: ErrBadHeader, Detail: c.sc.p.bad}
	}
	if c.table != nil && deadLetterHeader(c.sc.p.fields(string(c.sc.p.text()), make([]string, len(c.sc.p.ends)))) {
		c.enc, c.table = UTF8, nil
	}
	if c.table != nil {
		c.sc.p.transcode(c.table)
	}
	c.header = c.sc.p.fields(string(c.sc.p.text()), make([]string, len(c.sc.p.ends)))
	for i, col := range c.header {
		if !utf8.ValidString(col) {
			return &HeaderError{Err: ErrBadHeader, Detail: fmt.Sprintf(
				"column %d of the header %s", i+1, c.invalidText())}
		}
	}
	id, err := checkHeader(c.header, idColumn)
	if err != nil {
		return err
	}
	c.idCol = id
	c.kinds = make([]uint8, len(c.header))
	for i, col := range c.header {
		switch {
		case i == id:
			c.kinds[i] = colID
		case IgnoredColumn(col):
			c.kinds[i] = colIgnored
		}
	}
	return nil
}

// bareCR returns the index in raw, a header row or its start, of the first
// '\r' outside quotes that is not followed by a '\n', or -1. It follows
// rowParser's quoting: a field is quoted when its first byte is a quote,
// and "" inside quotes is an escaped quote. A '\r' ending raw is left
// alone: its '\n' may come next.
func bareCR(raw []byte, sep byte) int {
	quoted, fieldStart := false, true
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case quoted && c == '"' && i+1 < len(raw) && raw[i+1] == '"':
			i++
		case quoted:
			quoted = c != '"'
		case c == '"' && fieldStart:
			quoted = true
		case c == sep:
			fieldStart = true
			continue
		case c == '\r' && i+1 < len(raw) && raw[i+1] != '\n':
			return i
		}
		fieldStart = false
	}
	return -1
}

// IDColumn returns the name of the column that holds the ids: the one
// named in Options, or the one taken for it (see Options.IDColumn).
func (c *CSVReader) IDColumn() string { return c.header[c.idCol] }

// Header returns the column names as read, without a byte order mark.
// The caller must not modify the slice.
func (c *CSVReader) Header() []string { return c.header }

// Next returns the next record. A row that cannot be sent is still returned,
// with Err set. Next returns io.EOF after the last record and any other error
// only when reading fails; after an error the reader must not be used.
func (c *CSVReader) Next() (Record, error) {
	var w row
	if err := c.sc.scan(&w); err != nil {
		return Record{}, err
	}
	rec := Record{Line: w.line, Offset: w.offset, End: w.end, EndLine: w.endLine}
	if w.cut && c.changed != nil && c.changed() {
		// No id, no cells: cut short, they could name another record or
		// hold half a value, and a dead-letter file fed back in would
		// send them.
		rec.Raw = c.rawText(w.raw)
		rec.Err = incomplete(rec.Line)
		return rec, nil
	}
	if w.status != rowOK {
		rec.Raw = c.rawText(w.raw)
		code := CodeMalformedRow
		if w.status == rowTooLarge {
			code = CodeRecordTooLarge
		}
		rec.Err = &RecordError{Code: code, Message: w.message(c.max)}
		return rec, nil
	}
	c.build(&rec, w.raw)
	return rec, nil
}

// build fills rec from the parsed cells: one string holds the row's text,
// and its fields and properties are slices of it.
func (c *CSVReader) build(rec *Record, raw []byte) {
	p := &c.sc.p
	if c.table != nil && !p.ascii {
		p.transcode(c.table)
	}
	text := string(p.text())
	fields := p.fields(text, make([]string, len(p.ends)))
	rec.Fields = fields
	if c.idCol < len(fields) {
		rec.ID = strings.TrimSpace(fields[c.idCol])
	}
	if msg := c.malformed(rec.Line, text, fields); msg != "" {
		rec.Raw = c.rawText(raw)
		rec.Err = &RecordError{Code: CodeMalformedRow, Message: msg}
		return
	}
	if rec.ID == "" {
		rec.Err = &RecordError{Code: CodeMissingID, Message: fmt.Sprintf(
			"line %d: the id column %q is empty", rec.Line, c.header[c.idCol])}
		return
	}
	n := 0
	for i, k := range c.kinds {
		if k == colProp && (c.empty == EmptyClear || fields[i] != "") {
			n++
		}
	}
	rec.Props = make([]Prop, 0, n)
	for i, k := range c.kinds {
		if k == colProp && (c.empty == EmptyClear || fields[i] != "") {
			rec.Props = append(rec.Props, Prop{Name: c.header[i], Value: fields[i]})
		}
	}
}

// malformed says what is wrong with a row split into fields, which are
// slices of text; "" when nothing is.
func (c *CSVReader) malformed(line int64, text string, fields []string) string {
	if c.sc.p.bad != "" {
		return c.sc.p.bad
	}
	if len(fields) != len(c.header) {
		return fmt.Sprintf("line %d: row has %d fields, the header has %d", line, len(fields), len(c.header))
	}
	if c.sc.p.ascii || utf8.ValidString(text) && cellsStartRunes(fields) {
		return "" // one pass over the row instead of one per cell
	}
	for i, f := range fields {
		if !utf8.ValidString(f) {
			return fmt.Sprintf("line %d: field %d (%s) %s", line, i+1, c.header[i], c.invalidText())
		}
	}
	return ""
}

// cellsStartRunes reports whether every cell starts at the start of a
// rune, so that valid text (cells back to back, or one comma apart) means
// valid cells.
func cellsStartRunes(fields []string) bool {
	for _, f := range fields {
		if f != "" && !utf8.RuneStart(f[0]) {
			return false
		}
	}
	return true
}

// deadLetterHeaderEnd ends the header row of a CSV dead-letter file: the
// columns hubsync adds after the input's own (see sink/deadletter).
const deadLetterHeaderEnd = ",_error_code,_error_message,_source_line"

// isDeadLetterHeader reads the header row from where in is, up to max
// bytes, and reports whether it is a dead-letter file's. It leaves in
// anywhere: the caller seeks.
func isDeadLetterHeader(in *input, max int) (bool, error) {
	var line []byte
	quoted := false
	for len(line) <= max {
		frag, err := in.fragment()
		if err != nil && err != io.EOF {
			return false, err
		}
		for _, c := range frag {
			if c == '"' {
				quoted = !quoted // "" inside quotes toggles twice: no change
			}
		}
		line = append(line, frag...)
		if err == io.EOF || (!quoted && bytes.HasSuffix(frag, []byte{'\n'})) {
			break
		}
	}
	return bytes.HasSuffix(bytes.TrimRight(line, "\r\n"), []byte(deadLetterHeaderEnd)), nil
}
