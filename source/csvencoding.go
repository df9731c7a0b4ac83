package source

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// startEncoding looks at the file's first bytes: a byte order mark says
// the encoding whatever Options.Encoding says (see Encoding); without one,
// enc is taken (but see deadLetterHeader).
func (c *CSVReader) startEncoding(enc Encoding) error {
	in := c.sc.in
	head, err := in.sniff()
	if err != nil {
		return err
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		c.enc = UTF16
		return in.startUTF16(binary.LittleEndian)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		c.enc = UTF16
		return in.startUTF16(binary.BigEndian)
	case bytes.HasPrefix(head, bom):
		c.enc = UTF8
		return nil
	case enc == UTF16:
		return &HeaderError{Err: ErrBadHeader, Detail: "the file does not start with a UTF-16 byte order mark, so its byte order is unknown: " +
			"save it as \"Unicode\" text with its mark, or pass the encoding it is in with --encoding"}
	}
	c.enc, c.table = enc, byteTableFor(enc)
	return nil
}

// Encoding returns the encoding the file is read in.
func (c *CSVReader) Encoding() Encoding { return c.enc }

// Delimiter returns the delimiter the file is read with: the one in
// Options, or the one detected.
func (c *CSVReader) Delimiter() byte { return c.sc.p.sep }

// rawText returns a copy of a record's original bytes as UTF-8, for the
// dead-letter file.
func (c *CSVReader) rawText(raw []byte) []byte {
	if c.table == nil {
		return append([]byte(nil), raw...)
	}
	return c.table.decode(nil, raw)
}

// invalidText says, for messages, what is wrong with text that did not
// decode.
func (c *CSVReader) invalidText() string {
	switch c.enc {
	case UTF8:
		return "is not valid UTF-8: if the file is in another encoding, such as windows-1252, pass --encoding"
	case UTF16:
		return "is not valid UTF-16 (a lone surrogate, or the file ends inside a character)"
	}
	return fmt.Sprintf("holds a byte that is no character in %s", c.enc)
}

// deadLetterHeader reports whether a header is that of a hubsync
// dead-letter file, which is always UTF-8: fed back in with the settings
// of its windows-1252 input, it must not be read as windows-1252, which
// would turn every "é" into "Ã©" without a word.
func deadLetterHeader(cols []string) bool {
	for _, c := range cols {
		if c == "_error_code" {
			return true
		}
	}
	return false
}
