package source

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encoding is the character encoding of a CSV file. JSON Lines is always
// UTF-8.
type Encoding uint8

// The encodings a CSV file may be in. A file that starts with a UTF-16 byte
// order mark is read as UTF-16 whatever Options.Encoding says, and one that
// starts with a UTF-8 byte order mark as UTF-8: a BOM is unambiguous, and
// and a hubsync dead-letter file, always UTF-8, is recognised by its
// _error_code column and read as UTF-8 too, so that it can be fed back in
// with the settings of its input.
const (
	UTF8        Encoding = iota // the default
	UTF16                       // little- or big-endian, told by its byte order mark, which it must have
	Windows1252                 // what Excel on Windows writes as "CSV" in Western Europe and the Americas
	Latin1                      // ISO-8859-1
)

var encodingNames = [...]string{UTF8: "utf-8", UTF16: "utf-16", Windows1252: "windows-1252", Latin1: "iso-8859-1"}

func (e Encoding) String() string {
	if int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return fmt.Sprintf("Encoding(%d)", e)
}

// ParseEncoding reads an --encoding value: utf-8, utf-16, windows-1252 (or
// cp1252) and latin-1 (or iso-8859-1), in any case, "" meaning utf-8.
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "utf-8", "utf8":
		return UTF8, nil
	case "utf-16", "utf16":
		return UTF16, nil
	case "windows-1252", "cp1252":
		return Windows1252, nil
	case "latin-1", "latin1", "iso-8859-1":
		return Latin1, nil
	}
	return 0, fmt.Errorf("encoding %q: want utf-8, utf-16, windows-1252 or latin-1", s)
}

// byteTable maps each byte of a single-byte charset to its UTF-8 text; ""
// for a byte the charset leaves undefined.
type byteTable [256]string

func newByteTable(cm *charmap.Charmap) *byteTable {
	var t byteTable
	for b := range 256 {
		if r := cm.DecodeByte(byte(b)); r != utf8.RuneError {
			t[b] = string(r)
		}
	}
	return &t
}

// byteTableFor returns the table of a single-byte encoding, nil for the
// others.
func byteTableFor(e Encoding) *byteTable {
	switch e {
	case Windows1252:
		return newByteTable(charmap.Windows1252)
	case Latin1:
		return newByteTable(charmap.ISO8859_1)
	}
	return nil
}

// invalidByte stands in the UTF-8 text for a byte or code unit that is no
// character of the file's encoding: it is not valid UTF-8, so the record
// that holds it fails the readers' UTF-8 check and goes to the dead-letter
// file, where a replacement character would send a value the file does not
// hold.
const invalidByte = 0xFF

// decode appends to dst the UTF-8 text of src, read with t. The delimiter,
// quotes and line ends are ASCII, which single-byte charsets keep as they
// are: so the file is split into rows and cells on its own bytes, its
// offsets stay those of the file, and only the cells are converted.
func (t *byteTable) decode(dst, src []byte) []byte {
	for _, b := range src {
		switch s := t[b]; {
		case b < utf8.RuneSelf:
			dst = append(dst, b)
		case s == "":
			dst = append(dst, invalidByte)
		default:
			dst = append(dst, s...)
		}
	}
	return dst
}
