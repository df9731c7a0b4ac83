package source

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzCSVUTF16 checks that a file read as UTF-16 gives the records of the
// same text read as UTF-8, at the offsets in its own bytes of the same
// places in the text, and that resuming at any record gives the same
// records from there.
func FuzzCSVUTF16(f *testing.F) {
	for _, s := range []string{"id,x\n1,é\n2,\"a\nb\"\n", "id;x\r\n1;👍\r\n", "id\n\n1\n", "id,x\n1,\"open\n"} {
		f.Add(s, uint16(5))
	}
	f.Fuzz(func(t *testing.T, s string, max uint16) {
		if !utf8.ValidString(s) || strings.HasPrefix(s, "\ufeff") {
			return // a UTF-8 BOM is only one at the start of a UTF-8 file
		}
		file := append([]byte{0xFF, 0xFE}, encodeUTF16LE(s)...)
		opts := Options{MaxRecordBytes: int(max%64) + 1}
		want, err8 := readCSV(t, []byte(s), opts)
		got, err16 := readCSV(t, file, opts)
		if (err8 == nil) != (err16 == nil) {
			t.Fatalf("UTF-8 error %v, UTF-16 error %v", err8, err16)
		}
		if err8 != nil {
			return
		}
		ignore := cmpopts.IgnoreFields(Record{}, "Offset", "End", "Err.Message")
		if diff := cmp.Diff(want, got, ignore, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("UTF-16 records differ from UTF-8 ones (-utf8 +utf16):\n%s", diff)
		}
		at := func(off8 int64) int64 { return 2 + 2*int64(len(utf16.Encode([]rune(s[:off8])))) }
		for i, rec := range got {
			if rec.Offset != at(want[i].Offset) || rec.End != at(want[i].End) {
				t.Fatalf("record %d is at [%d, %d) in UTF-16, want [%d, %d): where [%d, %d) is in UTF-8",
					i, rec.Offset, rec.End, at(want[i].Offset), at(want[i].End), want[i].Offset, want[i].End)
			}
			o := opts
			o.Start = Position{Offset: rec.Offset, Line: rec.Line}
			rest, err := readCSV(t, file, o)
			if err != nil {
				t.Fatalf("resume at %d: %v", rec.Offset, err)
			}
			if diff := cmp.Diff(got[i:], rest, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("resumed at record %d (-want +got):\n%s", i, diff)
			}
		}
	})
}

// readCSV reads data whole, or returns the header error.
func readCSV(t *testing.T, data []byte, opts Options) ([]Record, error) {
	r, err := NewCSV(bytes.NewReader(data), opts)
	var he *HeaderError
	if errors.As(err, &he) {
		return nil, err
	}
	if err != nil {
		t.Fatalf("NewCSV: %v", err)
	}
	return readAll(t, r), nil
}

func encodeUTF16LE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}
