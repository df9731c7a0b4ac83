package source

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzCSV checks that the reader never panics, accounts for every byte,
// resumes at any record to the same records, and agrees with encoding/csv
// on every input that encoding/csv reads without error.
func FuzzCSV(f *testing.F) {
	files, _ := filepath.Glob("testdata/csv/*.csv")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(7))
	}
	for _, s := range []string{
		"id\n\"a\nb\"\n", "id,x\n1,\"\"\"\"\n", "id,x\r\n1,\"a\r\n\"\r\n\r\n", "id,x\n1,\"a\"\"\n2,b\n",
		"id\n\"\n\"\n", "id,x\n1,\"a\"\r", "id,x\n\"1\",\"\"\r\n", "id,x\n1,\"x\"\ry\n",
		"id,x\n1,\"a\n2,\"\"b\"\"\n3,c\n\"\n4,d\n", "id,x,y\n1,aaaaaaaa,\"b\n2,c,d\"\n3,e,f\n",
	} {
		f.Add([]byte(s), uint16(3))
	}
	f.Fuzz(fuzzCSVInput)
}

func fuzzCSVInput(t *testing.T, data []byte, max uint16) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return // read as UTF-16: FuzzCSVUTF16's case
	}
	changed := func() bool { return true }
	// The delimiter is fixed: encoding/csv, the reference, splits at commas.
	for _, opts := range []Options{{Delimiter: ','}, {Delimiter: ',', MaxRecordBytes: int(max%64) + 1, Empty: EmptyClear, Changed: changed}} {
		r, err := NewCSV(bytes.NewReader(data), opts)
		var he *HeaderError
		if errors.Is(err, ErrNoIDColumn) && errors.As(err, &he) {
			opts.IDColumn = he.Columns[0]
			r, err = NewCSV(bytes.NewReader(data), opts)
		}
		if errors.As(err, &he) {
			continue
		}
		if err != nil {
			t.Fatalf("NewCSV: %v", err)
		}
		recs := readAll(t, r)
		if err := checkLayout(data, r.body, recs, csvBlank, opts.withDefaults().MaxRecordBytes); err != nil {
			t.Fatal(err)
		}
		if err := checkRowStarts(data, r.body, recs); err != nil {
			t.Fatal(err)
		}
		if err := checkIncomplete(data, recs, opts.Changed != nil); err != nil {
			t.Fatal(err)
		}
		checkResume(t, data, recs, func(start Position) (reader, error) {
			o := opts
			o.Start = start
			return NewCSV(bytes.NewReader(data), o)
		})
		if opts.MaxRecordBytes == 0 {
			compareEncodingCSV(t, data, r.Header(), recs)
		}
	}
}

// checkRowStarts checks that no record starts or ends inside a quoted
// field: whatever its length, a cell's lines must never be read as rows.
// Where rows start is worked out here from the whole file at once, with
// the quoting rules of rowParser but none of its code.
func checkRowStarts(data []byte, from int64, recs []Record) error {
	starts := map[int64]bool{from: true, int64(len(data)): true}
	quoted, fieldStart := false, true
	for i := from; i < int64(len(data)); i++ {
		c := data[i]
		switch {
		case quoted && c == '"' && i+1 < int64(len(data)) && data[i+1] == '"':
			i++ // an escaped quote
		case quoted:
			quoted = c != '"'
		case c == '"' && fieldStart:
			quoted = true
		case c == ',':
			fieldStart = true
			continue
		case c == '\n':
			starts[i+1], fieldStart = true, true
			continue
		}
		fieldStart = false
	}
	for i, r := range recs {
		if !starts[r.Offset] || !starts[r.End] {
			return fmt.Errorf("record %d (line %d, offset %d to %d) starts or ends inside a quoted field", i, r.Line, r.Offset, r.End)
		}
	}
	return nil
}

// checkIncomplete checks that, when the file changed, the record the file
// ends in without a line end, and only that one, is INCOMPLETE_RECORD.
func checkIncomplete(data []byte, recs []Record, changed bool) error {
	for i, r := range recs {
		cut := changed && r.End == int64(len(data)) && data[len(data)-1] != '\n'
		if got := r.Err != nil && r.Err.Code == CodeIncomplete; got != cut {
			return fmt.Errorf("record %d (line %d, offset %d to %d): incomplete %v, want %v", i, r.Line, r.Offset, r.End, got, cut)
		}
		if cut && (r.ID != "" || r.Props != nil || r.Fields != nil) {
			return fmt.Errorf("record %d: incomplete but with id %q, props %v, fields %q", i, r.ID, r.Props, r.Fields)
		}
	}
	return nil
}

// checkResume restarts at a few of the records and expects the same records.
func checkResume(t *testing.T, data []byte, recs []Record, open func(Position) (reader, error)) {
	t.Helper()
	step := len(recs)/5 + 1
	for i := 0; i < len(recs); i += step {
		r, err := open(Position{Offset: recs[i].Offset, Line: recs[i].Line})
		if err != nil {
			t.Fatalf("resume at record %d: %v", i, err)
		}
		if diff := cmp.Diff(recs[i:], readAll(t, r)); diff != "" {
			t.Fatalf("resume at record %d (-want +got):\n%s", i, diff)
		}
	}
}

// compareEncodingCSV expects the same cells as encoding/csv, which turns
// "\r\n" into "\n" inside quoted fields, when it reads data without error.
func compareEncodingCSV(t *testing.T, data []byte, header []string, recs []Record) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, bom))).ReadAll()
	if err != nil {
		return
	}
	got := [][]string{normalizeCRLF(header)}
	for _, rec := range recs {
		got = append(got, normalizeCRLF(rec.Fields))
	}
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Fatalf("cells differ from encoding/csv (-csv +ours):\n%s", diff)
	}
}

func normalizeCRLF(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(c, "\r\n", "\n")
	}
	return out
}

func TestRowParserFragments(t *testing.T) {
	// The same row cut into fragments anywhere must parse the same.
	row := "1,\"a \"\"q\"\"\r\nb\",x\"y,\"\"\r\n"
	want := []string{"1", "a \"q\"\r\nb", "x\"y", ""}
	for cut := 1; cut < len(row); cut++ {
		t.Run(strings.ReplaceAll(row[:cut], "\n", `\n`), func(t *testing.T) {
			var p rowParser
			p.reset()
			if p.feed([]byte(row[:cut]), 1) && cut < len(row) && row[cut-1] != '\n' {
				t.Fatal("row ended early")
			}
			p.feed([]byte(row[cut:]), 1)
			if got := p.fields(string(p.text()), make([]string, len(p.ends))); !cmp.Equal(want, got) || p.bad != "" {
				t.Errorf("cells %q (bad %q), want %q", got, p.bad, want)
			}
		})
	}
}

// TestZeroBytes checks the mask bit by bit for every byte value in every
// position, next to neighbours that could carry or borrow into it.
func TestZeroBytes(t *testing.T) {
	for pos := range 8 {
		for c := range 256 {
			for _, fill := range []byte{0x00, 0x01, 0x7f, 0x80, 0xff} {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				var want uint64
				for i, x := range b {
					if x == 0 {
						want |= 0x80 << (8 * i)
					}
				}
				if got := zeroBytes(binary.LittleEndian.Uint64(b[:])); got != want {
					t.Fatalf("zeroBytes(% x) = %#x, want %#x", b, got, want)
				}
			}
		}
	}
}

func TestPlainSplitsAtEveryComma(t *testing.T) {
	for _, line := range []string{"", ",", "a", "a,b", ",,,,,,,,,", "1234567,9", "12345678,0123456,89abcdef,", "é,ü,x", "abcdefgh\xff,"} {
		var p rowParser
		p.plain([]byte(line))
		var want []int
		for i := range len(line) {
			if line[i] == ',' {
				want = append(want, i)
			}
		}
		want = append(want, len(line))
		if !slices.Equal(p.ends, want) {
			t.Errorf("plain(%q): ends %v, want %v", line, p.ends, want)
		}
		if ascii := !strings.ContainsFunc(line, func(r rune) bool { return r >= 0x80 }); p.ascii != ascii {
			t.Errorf("plain(%q): ascii %v, want %v", line, p.ascii, ascii)
		}
	}
}
