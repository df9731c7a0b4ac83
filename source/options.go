package source

import (
	"errors"
	"fmt"
	"strings"
)

// Defaults applied by the constructors to zero-valued Options fields.
const (
	DefaultIDColumn       = "id"
	DefaultMaxRecordBytes = 1 << 20
)

// rawCap is how many bytes of a record too large to buffer are kept in
// Record.Raw.
const rawCap = 4 << 10

// Options configures a reader. The zero value reads from the beginning with
// the defaults.
type Options struct {
	// IDColumn is the CSV column or top-level JSON key holding the record
	// id. Empty means "id" or, without one, the column HubSpot's exports
	// name the id by ("Record ID", or hs_object_id) when exactly one is
	// there; the readers' IDColumn method says which was taken.
	IDColumn string
	// Delimiter separates CSV cells: ',', ';' or '\t'; 0 picks it from the
	// header row (see detectDelimiter). JSON Lines ignores it.
	Delimiter byte
	// Encoding is the CSV file's character encoding (see Encoding for the
	// byte order marks that override it). JSON Lines is always UTF-8.
	Encoding Encoding
	// Empty says what an empty CSV cell means: EmptySkip leaves it out of
	// Props, EmptyClear sends it as "".
	Empty EmptyMode
	// MaxRecordBytes bounds a record's length, line terminator excluded;
	// default 1 MiB. A longer record becomes a RECORD_TOO_LARGE record and
	// reading goes on after its end (for CSV, the end of the row, past any
	// line ends inside its quoted fields). A CSV quoted field that never
	// closes makes the rest of the file one MALFORMED_ROW record, whatever
	// its length.
	MaxRecordBytes int
	// Start is where reading resumes: the Offset and Line of a record
	// returned by an earlier run. The zero value means the beginning.
	Start Position
	// Changed, if set, reports whether the input file changed since the
	// run started. It is called only when the file's last line has no line
	// end; if it returns true, that line may be one still being written,
	// cut short, and its record becomes an INCOMPLETE_RECORD record.
	Changed func() bool
}

func (o Options) withDefaults() Options {
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	return o
}

func (o Options) checkStart() error {
	if o.Start.Offset < 0 || (o.Start.Offset > 0 && o.Start.Line < 1) {
		return fmt.Errorf("resume position offset %d line %d: want offset >= 0 and, past the start, line >= 1", o.Start.Offset, o.Start.Line)
	}
	return nil
}

// Conditions a HeaderError can wrap; test with errors.Is.
var (
	ErrNoHeader        = errors.New("no header row")
	ErrNoIDColumn      = errors.New("no id column")
	ErrDuplicateColumn = errors.New("duplicate column name")
	ErrEmptyColumn     = errors.New("column without a name")
	ErrBadHeader       = errors.New("unusable header row")
	ErrBareCR          = errors.New("lines end in a lone carriage return")
)

// HeaderError is a problem with a CSV file's header row. Nothing has been
// read past it; the user must fix the file or the options before a run.
type HeaderError struct {
	Err     error    // one of the Err* conditions above
	Columns []string // the columns found, when the header parsed
	Detail  string   // what exactly is wrong and what to do
}

func (e *HeaderError) Error() string { return "csv header: " + e.Err.Error() + ": " + e.Detail }

func (e *HeaderError) Unwrap() error { return e.Err }

// checkHeader returns a *HeaderError if cols cannot be used with idColumn,
// else the index of the id column.
func checkHeader(cols []string, idColumn string) (int, error) {
	if idColumn == "" {
		var err error
		if idColumn, err = guessIDColumn(cols); err != nil {
			return 0, err
		}
	}
	id := -1
	seen := make(map[string]int, len(cols))
	for i, c := range cols {
		if c == "" {
			return 0, &HeaderError{Err: ErrEmptyColumn, Columns: cols, Detail: fmt.Sprintf(
				"column %d has no name (a trailing comma?): name it or remove it", i+1)}
		}
		if j, ok := seen[c]; ok {
			return 0, &HeaderError{Err: ErrDuplicateColumn, Columns: cols, Detail: fmt.Sprintf(
				"columns %d and %d are both named %q: rename one so each property is named once", j+1, i+1, c)}
		}
		seen[c] = i
		if c == idColumn {
			id = i
		}
	}
	if id < 0 {
		return 0, &HeaderError{Err: ErrNoIDColumn, Columns: cols, Detail: fmt.Sprintf(
			"no column named %q among %s: pass --id-column with the name of the column holding the record id",
			idColumn, quoteList(cols))}
	}
	return id, nil
}

func quoteList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = fmt.Sprintf("%q", c)
	}
	return strings.Join(q, ", ")
}

// IgnoredColumn reports whether a CSV column is one a dead-letter file adds
// (_source_line, _error...): readers skip such columns so that a dead-letter
// file can be fed back in.
func IgnoredColumn(name string) bool {
	return name == "_source_line" || strings.HasPrefix(name, "_error")
}
