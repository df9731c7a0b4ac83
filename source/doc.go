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
// gocsv maps rows onto fixed structs, while our columns are only known at run
// time. encoding/csv hides byte offsets (FieldPos gives line and column, not
// the offset a resume needs), buffers a whole record however long it is, and
// lets one unterminated quote swallow the rest of the file into a single
// field. The parser here works on the fragments bufio.Reader.ReadSlice
// returns and knows the file offset of every record. Once a record passes
// Options.MaxRecordBytes it stops keeping it but goes on parsing to the
// record's real end, past the line ends inside its quoted fields, so that
// the lines of a long cell are never read as rows. A quote still open at the
// end of the file makes the rest of the file one malformed record: where the
// rows after a stray quote would start cannot be known, so none is sent.
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
// # Why a hand-written JSON scanner
//
// encoding/json either loses key order (maps) or allocates per token
// (Decoder.Token). The scanner in jsonscan.go only validates a line and notes
// where its keys and values are; values are then sliced out of one string per
// record. Its fuzz test checks it against encoding/json, which still supplies
// the message for lines that are not valid JSON.
package source
