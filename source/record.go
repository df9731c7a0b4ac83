package source

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Format is the layout of an input file.
type Format int

// The supported input formats.
const (
	CSV Format = iota + 1
	JSONL
)

func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case JSONL:
		return "jsonl"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat turns a --format value ("csv", "jsonl", "ndjson") into a Format.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "csv":
		return CSV, nil
	case "jsonl", "ndjson":
		return JSONL, nil
	}
	return 0, fmt.Errorf("unknown format %q: want csv or jsonl", s)
}

// FormatFromPath picks the format from a file name's extension
// (.csv, .jsonl, .ndjson, case-insensitive).
func FormatFromPath(path string) (Format, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv":
		return CSV, nil
	case ".jsonl", ".ndjson":
		return JSONL, nil
	default:
		return 0, fmt.Errorf("cannot tell the format of %q from its extension %q: pass --format csv or --format jsonl", path, ext)
	}
}

// EmptyMode says what an empty CSV cell means.
type EmptyMode int

const (
	// EmptySkip leaves the property alone: the cell is not sent.
	EmptySkip EmptyMode = iota
	// EmptyClear sends "" for the cell, which clears the property in HubSpot.
	EmptyClear
)

// ParseEmptyMode turns an --empty value ("skip", "clear") into an EmptyMode.
func ParseEmptyMode(s string) (EmptyMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "skip", "":
		return EmptySkip, nil
	case "clear":
		return EmptyClear, nil
	}
	return 0, fmt.Errorf("unknown --empty value %q: want skip or clear", s)
}

// Position is a place in an input file at which a record starts.
type Position struct {
	Offset int64 // byte offset of the record's first byte
	Line   int64 // 1-based line number of that byte
}

// Prop is one property value of a record, as it will be sent to HubSpot.
//
// It names an unnamed struct type, as sink.PropertyValue does, so the two are
// one type: a record's properties go to the client as they are, without a
// copy and without either package importing the other. A field added to
// one must be added to the other, or pipeline stops compiling.
type Prop = struct{ Name, Value string }

// Record is one row of a CSV file or one line of a JSONL file.
//
// A Record owns its memory: it stays valid after later calls to Next.
type Record struct {
	Line   int64 // 1-based line number where the record starts
	Offset int64 // byte offset of the record's first byte
	End    int64 // byte offset just past the record, its line terminator included
	// EndLine is the line number at End: where the next record starts, the
	// line after the record's last line.
	EndLine int64

	// ID is the value of the id column or key, trimmed of surrounding
	// spaces. It is also set on a failed record whenever it could be read,
	// except on an INCOMPLETE_RECORD record, whose id may be cut short.
	ID    string
	Props []Prop // properties to send, in column or key order; never the id; not to be sent when Err is set (readers leave it nil, a mapper may leave the original values)

	// Fields holds a CSV row's cells as parsed, in header order (for the
	// dead-letter file), even when there are too few or too many. It is nil
	// for JSONL, and for a CSV row that could not be split into cells at
	// all (a quote that never closes, a row too large) or may be cut short
	// (INCOMPLETE_RECORD).
	Fields []string
	// Raw holds the record's original bytes without the line terminator:
	// always for JSONL, and for a CSV row only when it failed with
	// MALFORMED_ROW, RECORD_TOO_LARGE or INCOMPLETE_RECORD. For a record
	// longer than Options.MaxRecordBytes (RECORD_TOO_LARGE, or a CSV quote
	// left open to the end of the file) it holds only the first 4 KiB.
	Raw []byte

	// Err is non-nil when the record cannot be sent as it is; it then goes
	// to the dead-letter file with this reason.
	Err *RecordError
}

// Error codes of records that fail before anything is sent.
const (
	CodeMalformedRow   = "MALFORMED_ROW"     // CSV row that does not parse or has the wrong number of fields
	CodeInvalidJSON    = "INVALID_JSON"      // JSONL line that is not a JSON object
	CodeMissingID      = "MISSING_ID"        // no id, or an empty one
	CodeInvalidValue   = "INVALID_VALUE"     // a value that cannot be a property value (say, a JSON object)
	CodeRecordTooLarge = "RECORD_TOO_LARGE"  // record longer than Options.MaxRecordBytes
	CodeIncomplete     = "INCOMPLETE_RECORD" // last line without a line end in a file that changed while read (Options.Changed)
)

// RecordError is why a record cannot be sent.
type RecordError struct {
	Code    string // one of the Code constants
	Message string // human-readable, names the line and what is wrong
}

func (e *RecordError) Error() string { return e.Code + ": " + e.Message }
