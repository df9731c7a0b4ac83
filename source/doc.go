// Package source reads the records of a CSV or JSONL input file, one at a
// time, in bounded memory, with the exact byte offset and line number of each
// record so that a run can resume from any record boundary.
//
// A reader never fails because of one bad record: a row that does not parse
// becomes a Record whose Err says why (it then goes to the dead-letter file),
// and reading goes on. Next returns an error only for I/O failures; the
// constructors return a *HeaderError for problems the user must fix first.
//
// The package starts no goroutines and does no logging. Readers are not safe
// for concurrent use.
//
// # Why a hand-written CSV parser
//
// gocsv (which writes the demo's sample file) maps each row onto a struct
// whose fields are fixed when the program is compiled, while an input's
// columns are known only at run time; and it reads through encoding/csv.
// encoding/csv does give offsets (Reader.InputOffset, since Go 1.19),
// but the parser here still buys what a resume and the dead-letter file need:
//
//   - Offsets in the file's own bytes. InputOffset counts the bytes the
//     csv.Reader was given, which for a UTF-16 or windows-1252 file are a
//     decoder's output, not the file's; here every record knows where it
//     starts and ends in the file, so a resume seeks straight to it (see
//     Delimiters and encodings).
//   - Bounded memory. encoding/csv holds a whole record however long it is,
//     and an unterminated quote makes it read the rest of the file into one
//     field. The parser here works on the fragments bufio.Reader.ReadSlice
//     returns; once a record passes Options.MaxRecordBytes it stops keeping
//     it but goes on parsing to the record's real end, past the line ends
//     inside its quoted fields, so that the lines of a long cell are never
//     read as rows.
//   - A bad row is a record, not a stop. A row with text after a closing
//     quote, the wrong number of fields or invalid UTF-8 comes back with Err
//     set and the row's own text for the dead-letter file, and reading goes
//     on at the next row; a csv.ParseError has the row's position but not
//     its text.
//   - Cells byte for byte. encoding/csv turns "\r\n" inside a quoted field
//     into "\n"; here a cell reaches HubSpot as the file holds it.
//
// Rows without a quote, the common case, are split at their delimiters
// without copying a byte. A quote still open at the end of the file makes
// the rest of the file one malformed record: where the rows after a stray
// quote would start cannot be known, so none is sent.
//
// # Delimiters and encodings
//
// A CSV file may use ';' or tabs (detected from the header row) and be in
// UTF-16, windows-1252 or latin-1 as well as UTF-8 (see Encoding). Offsets
// are always those of the file's own bytes, so that a resume seeks: the
// single-byte charsets are split into rows on their own bytes and only the
// cells converted, and UTF-16 is decoded under the parser with the offset
// of every line end noted (utf16.go).
//
// # JSON Lines
//
// A line is read with jsontext (github.com/go-json-experiment/json, what
// becomes encoding/json/v2): its token reader keeps the order of the keys,
// which encoding/json's maps lose, and says at which byte a line stops
// being JSON. It is told to let duplicate keys through so that the reader
// can name them and refuse only those at the top level or under
// "properties", as it always has. Keys and values without escapes are
// sliced from one string per line. FuzzJSONL checks the reader against a
// reference written with encoding/json.
package source
