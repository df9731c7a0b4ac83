package source

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// exportCases are files shaped like HubSpot's and Excel's exports, in the
// delimiters and encodings they come in.
var exportCases = []struct {
	file      string
	opts      Options
	wantSep   byte
	wantEnc   Encoding
	wantProps [][]Prop // per record, in order
}{
	{"calls-semicolon-windows1252.csv", Options{Encoding: Windows1252}, ';', Windows1252, [][]Prop{
		p("Call notes", "Rückruf; Kunde zufrieden", "Call outcome", "Connected"),
		p("Call notes", "Preis 10 €, Café", "Call outcome", "No answer"),
		p("Call notes", "Grüße", "Call outcome", ""),
	}},
	{"calls-semicolon-windows1252.csv", Options{Encoding: Windows1252, Delimiter: ';'}, ';', Windows1252, [][]Prop{
		p("Call notes", "Rückruf; Kunde zufrieden", "Call outcome", "Connected"),
		p("Call notes", "Preis 10 €, Café", "Call outcome", "No answer"),
		p("Call notes", "Grüße", "Call outcome", ""),
	}},
	{"calls-latin1.csv", Options{Encoding: Latin1}, ',', Latin1, [][]Prop{
		p("Call notes", "Déjà vu, again", "Call outcome", "Connected"),
		p("Call notes", "Müller", "Call outcome", "Busy"),
	}},
	{"calls-tab-utf16le.csv", Options{}, '\t', UTF16, [][]Prop{
		p("Call notes", "Thanks 👍 für alles", "Call outcome", "Connected"),
		p("Call notes", "Zoë said \"hi\"\r\nthen left", "Call outcome", "Left voicemail"),
		p("Call notes", "Preis 10 €", "Call outcome", "Busy"),
	}},
	{"calls-utf16be.csv", Options{Encoding: UTF16}, ',', UTF16, [][]Prop{
		p("Call notes", "Café 🎉", "Call outcome", "Connected"),
		p("Call notes", "Über", "Call outcome", "Busy"),
	}},
	// A UTF-8 byte order mark wins over --encoding.
	{"calls-utf8-semicolon.csv", Options{Encoding: Windows1252}, ';', UTF8, [][]Prop{
		p("Call notes", "Café", "Call outcome", "Connected"),
	}},
	// A dead-letter file is UTF-8, fed back in with its input's settings.
	{"calls-dead-letter.csv", Options{Encoding: Windows1252}, ',', UTF8, [][]Prop{
		p("Call notes", "Café", "Call outcome", "Connected"),
	}},
}

// TestCSVExports reads each file whole, then again from the offset of each
// of its records, as a resume does: the records must be the same, and
// their offsets those of the file's own bytes.
func TestCSVExports(t *testing.T) {
	for _, tt := range exportCases {
		t.Run(tt.file+"/"+DelimiterName(tt.opts.Delimiter), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "hubspot", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			tt.opts.Empty = EmptyClear
			r, err := NewCSV(bytes.NewReader(data), tt.opts)
			if err != nil {
				t.Fatalf("NewCSV: %v", err)
			}
			if r.Delimiter() != tt.wantSep || r.Encoding() != tt.wantEnc {
				t.Errorf("read with delimiter %q in %s, want %q in %s", r.Delimiter(), r.Encoding(), tt.wantSep, tt.wantEnc)
			}
			if diff := cmp.Diff([]string{"Record ID", "Call notes", "Call outcome"}, r.Header()[:3]); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			recs := readAll(t, r)
			var got [][]Prop
			for _, rec := range recs {
				if rec.Err != nil {
					t.Fatalf("line %d: %v", rec.Line, rec.Err)
				}
				got = append(got, rec.Props)
			}
			if diff := cmp.Diff(tt.wantProps, got); diff != "" {
				t.Fatalf("records (-want +got):\n%s", diff)
			}
			if last := recs[len(recs)-1]; last.End != int64(len(data)) {
				t.Errorf("last record ends at %d, the file at %d", last.End, len(data))
			}
			for i, rec := range recs {
				if i > 0 && rec.Offset != recs[i-1].End {
					t.Errorf("record %d starts at %d, record %d ends at %d", i, rec.Offset, i-1, recs[i-1].End)
				}
				o := tt.opts
				o.Start = Position{Offset: rec.Offset, Line: rec.Line}
				rr, err := NewCSV(bytes.NewReader(data), o)
				if err != nil {
					t.Fatalf("NewCSV at offset %d: %v", rec.Offset, err)
				}
				if diff := cmp.Diff(recs[i:], readAll(t, rr), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("resumed at record %d, offset %d (-want +got):\n%s", i, rec.Offset, diff)
				}
			}
		})
	}
}

// loneSurrogate is a UTF-16LE file whose first row holds a high surrogate
// without its pair.
var loneSurrogate = slices.Concat([]byte{0xFF, 0xFE}, utf16le("id,note\n1,a"), []byte{0x00, 0xD8}, utf16le("b\n2,ok\n"))

// TestCSVUndecodable checks that bytes that are no character of the
// file's encoding fail their record instead of being replaced.
func TestCSVUndecodable(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		opts Options
		want string
	}{
		{"windows-1252 undefined byte", []byte("id,note\n1,a\x81b\n2,ok\n"), Options{Encoding: Windows1252},
			"line 2: field 2 (note) holds a byte that is no character in windows-1252"},
		{"windows-1252 read as UTF-8", []byte("id,note\n1,Caf\xe9\n2,ok\n"), Options{},
			"line 2: field 2 (note) is not valid UTF-8: if the file is in another encoding, such as windows-1252, pass --encoding"},
		{"utf-16 lone surrogate", loneSurrogate, Options{},
			"line 2: field 2 (note) is not valid UTF-16 (a lone surrogate, or the file ends inside a character)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewCSV(bytes.NewReader(tt.data), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			recs := readAll(t, r)
			if len(recs) != 2 || recs[0].Err == nil || recs[1].Err != nil {
				t.Fatalf("records %+v, want the first failed and the second read", recs)
			}
			if recs[0].Err.Code != CodeMalformedRow || recs[0].Err.Message != tt.want {
				t.Errorf("error %s %q, want %s %q", recs[0].Err.Code, recs[0].Err.Message, CodeMalformedRow, tt.want)
			}
		})
	}
}

func TestCSVUTF16WithoutBOM(t *testing.T) {
	_, err := NewCSV(bytes.NewReader(utf16le("id\n1\n")), Options{Encoding: UTF16})
	if !errors.Is(err, ErrBadHeader) {
		t.Errorf("NewCSV: err = %v, want ErrBadHeader", err)
	}
}

func TestDetectDelimiter(t *testing.T) {
	tests := []struct {
		header string
		want   byte
	}{
		{"id,name,email\n", ','},
		{"id;name;email\n", ';'},
		{"id\tname\temail\n", '\t'},
		{"id\n", ','},
		{"id;name,email\n", ','},                    // a tie
		{"\"a;b;c\",id,x\n", ','},                   // inside quotes: not counted
		{"\"multi\nline;;;\",id,x\nrow;;;;\n", ','}, // the header ends at its real line end
		{"id;x", ';'},                               // no line end
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			in := newInput(bytes.NewReader([]byte(tt.header)))
			got, err := detectDelimiter(in, 1<<20)
			if err != nil || got != tt.want {
				t.Errorf("detectDelimiter = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestParseEncodingAndDelimiter(t *testing.T) {
	for in, want := range map[string]Encoding{"": UTF8, "UTF-8": UTF8, "utf-16": UTF16, "cp1252": Windows1252,
		"windows-1252": Windows1252, "latin-1": Latin1, "ISO-8859-1": Latin1} {
		if got, err := ParseEncoding(in); err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseEncoding("ebcdic"); err == nil {
		t.Error("ParseEncoding(ebcdic): no error")
	}
	for in, want := range map[string]byte{"": 0, "auto": 0, ",": ',', ";": ';', "\t": '\t', `\t`: '\t', "tab": '\t'} {
		if got, err := ParseDelimiter(in); err != nil || got != want {
			t.Errorf("ParseDelimiter(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseDelimiter("|"); err == nil {
		t.Error("ParseDelimiter(|): no error")
	}
}

// utf16le encodes s, which must be ASCII, as UTF-16LE without a BOM.
func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}
