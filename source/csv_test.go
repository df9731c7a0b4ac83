package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func p(kv ...string) []Prop {
	var ps []Prop
	for i := 0; i < len(kv); i += 2 {
		ps = append(ps, Prop{Name: kv[i], Value: kv[i+1]})
	}
	return ps
}

func f(cells ...string) []string { return cells }

func bad(code string) *RecordError { return &RecordError{Code: code} }

// csvCases are read from testdata/csv/<file or name>.csv.
var csvCases = []struct {
	name string
	file string
	opts Options
	want []Record
}{
	{name: "basic", want: []Record{
		{Line: 2, ID: "1", Props: p("name", "Ann", "email", "ann@x.io"), Fields: f("1", "Ann", "ann@x.io")},
		{Line: 3, ID: "2", Props: p("name", "Bob", "email", "bob@x.io"), Fields: f("2", "Bob", "bob@x.io")},
	}},
	{name: "id_column", file: "basic", opts: Options{IDColumn: "email"}, want: []Record{
		{Line: 2, ID: "ann@x.io", Props: p("id", "1", "name", "Ann"), Fields: f("1", "Ann", "ann@x.io")},
		{Line: 3, ID: "bob@x.io", Props: p("id", "2", "name", "Bob"), Fields: f("2", "Bob", "bob@x.io")},
	}},
	{name: "crlf", want: []Record{
		{Line: 2, ID: "1", Props: p("name", "Ann"), Fields: f("1", "Ann")},
		{Line: 3, ID: "2", Props: p("name", "Bob"), Fields: f("2", "Bob")},
	}},
	{name: "bom", want: []Record{
		{Line: 2, ID: "1", Props: p("name", "Ann"), Fields: f("1", "Ann")},
	}},
	{name: "quoted", want: []Record{
		{Line: 2, ID: "1", Props: p("note", "line one\nline two"), Fields: f("1", "line one\nline two")},
		{Line: 4, ID: "2", Props: p("note", `say "hi"`), Fields: f("2", `say "hi"`)},
		{Line: 5, ID: "3", Props: p("note", "a\rb"), Fields: f("3", "a\rb")},
		{Line: 6, ID: "4", Props: p("note", "x,y"), Fields: f("4", "x,y")},
	}},
	{name: "crlf_quoted", want: []Record{
		{Line: 2, ID: "1", Props: p("note", "a\r\nb"), Fields: f("1", "a\r\nb")},
		{Line: 4, ID: "2", Props: p("note", "c"), Fields: f("2", "c")},
	}},
	{name: "bare_quote", want: []Record{
		{Line: 2, ID: "1", Props: p("note", `5" screen`), Fields: f("1", `5" screen`)},
	}},
	{name: "text_after_quote", want: []Record{
		{Line: 2, ID: "1", Fields: f("1", `ab"c`), Raw: []byte(`1,"ab"c`), Err: bad(CodeMalformedRow)},
		{Line: 3, ID: "2", Props: p("note", "ok"), Fields: f("2", "ok")},
	}},
	{name: "field_count", want: []Record{
		{Line: 2, ID: "1", Fields: f("1", "x"), Raw: []byte("1,x"), Err: bad(CodeMalformedRow)},
		{Line: 3, ID: "2", Fields: f("2", "x", "y", "z"), Raw: []byte("2,x,y,z"), Err: bad(CodeMalformedRow)},
		{Line: 4, ID: "3", Props: p("a", "x", "b", "y"), Fields: f("3", "x", "y")},
	}},
	{name: "invalid_utf8", want: []Record{
		{Line: 2, ID: "1", Fields: f("1", "\xff"), Raw: []byte("1,\xff"), Err: bad(CodeMalformedRow)},
		{Line: 3, ID: "2", Props: p("name", "ok"), Fields: f("2", "ok")},
	}},
	{name: "missing_id", want: []Record{
		{Line: 2, Fields: f("", "Ann"), Err: bad(CodeMissingID)},
		{Line: 3, Fields: f("  ", "Bob"), Err: bad(CodeMissingID)},
		{Line: 4, ID: "3", Props: p("name", " Cy "), Fields: f(" 3 ", " Cy ")},
	}},
	{name: "empty_skip", file: "empty_cells", opts: Options{Empty: EmptySkip}, want: []Record{
		{Line: 2, ID: "1", Props: p("b", "x"), Fields: f("1", "", "x", "")},
	}},
	{name: "empty_clear", file: "empty_cells", opts: Options{Empty: EmptyClear}, want: []Record{
		{Line: 2, ID: "1", Props: p("a", "", "b", "x", "c", ""), Fields: f("1", "", "x", "")},
	}},
	{name: "blank_lines", want: []Record{
		{Line: 3, ID: "1", Props: p("name", "Ann"), Fields: f("1", "Ann")},
		{Line: 6, ID: "2", Props: p("name", "Bob"), Fields: f("2", "Bob")},
	}},
	{name: "no_trailing_newline", want: []Record{
		{Line: 2, ID: "1", Props: p("name", "Ann"), Fields: f("1", "Ann")},
	}},
	{name: "quoted_cr_header", want: []Record{ // a CR inside quotes is no line end
		{Line: 2, ID: "1", Props: p("na\rme", "x"), Fields: f("1", "x")},
	}},
	{name: "trailing_cr", want: []Record{
		{Line: 2, ID: "1", Props: p("name", "Ann"), Fields: f("1", "Ann")},
	}},
	{name: "ignored_columns", want: []Record{
		{Line: 2, ID: "1", Props: p("name", "Ann"), Fields: f("1", "Ann", "MISSING_ID", "oops", "7")},
	}},
	// A quote that never closes makes the rest of the file one record: where
	// its rows would start cannot be known, so none of them is sent.
	{name: "unterminated_eof", want: []Record{
		{Line: 2, Raw: []byte("1,\"open\n2,fine\n3,also"), Err: bad(CodeMalformedRow)},
	}},
	{name: "unterminated_last_line", want: []Record{
		{Line: 2, ID: "1", Props: p("note", "ok"), Fields: f("1", "ok")},
		{Line: 3, Raw: []byte(`2,"open`), Err: bad(CodeMalformedRow)},
	}},
	{name: "unterminated_limit", opts: Options{MaxRecordBytes: 20}, want: []Record{
		{Line: 2, Raw: []byte("1,\"open\n2,fine\n3,also\n"), Err: bad(CodeMalformedRow)},
	}},
	// A quoted cell longer than the limit is one record however many lines
	// it holds, read to its closing quote without being kept.
	{name: "long_quoted_cell", opts: Options{MaxRecordBytes: 16}, want: []Record{
		{Line: 2, Raw: []byte("1,\"hello\n500,INJECTED\n"), Err: bad(CodeRecordTooLarge)},
		{Line: 7, ID: "2", Props: p("note", "ok"), Fields: f("2", "ok")},
	}},
	{name: "long_quoted_cell_more_fields", opts: Options{MaxRecordBytes: 16}, want: []Record{
		{Line: 2, Raw: []byte("1,\"hello\n500,INJECTED,x\n"), Err: bad(CodeRecordTooLarge)},
		{Line: 7, ID: "2", Props: p("note", "ok", "more", "z"), Fields: f("2", "ok", "z")},
	}},
	{name: "long_quoted_cell_fits", file: "long_quoted_cell", want: []Record{
		{Line: 2, ID: "1", Props: p("note", "hello\n500,INJECTED\nhe said \"hi\"\n501,\"quoted\"\nbye"),
			Fields: f("1", "hello\n500,INJECTED\nhe said \"hi\"\n501,\"quoted\"\nbye")},
		{Line: 7, ID: "2", Props: p("note", "ok"), Fields: f("2", "ok")},
	}},
	{name: "too_large_then_quoted", opts: Options{MaxRecordBytes: 16}, want: []Record{
		{Line: 2, Raw: []byte("1,aaaaaaaaaaaaaaaaaaaaaaa,\"x\n"), Err: bad(CodeRecordTooLarge)},
		{Line: 4, ID: "2", Props: p("note", "ok", "more", "z"), Fields: f("2", "ok", "z")},
	}},
	{name: "too_large", opts: Options{MaxRecordBytes: 16}, want: []Record{
		{Line: 2, ID: "1", Props: p("note", "short"), Fields: f("1", "short")},
		{Line: 3, Raw: []byte("2," + strings.Repeat("a", 32)), Err: bad(CodeRecordTooLarge)},
		{Line: 4, ID: "3", Props: p("note", "after"), Fields: f("3", "after")},
	}},
}

func TestCSV(t *testing.T) {
	for _, tt := range csvCases {
		t.Run(tt.name, func(t *testing.T) {
			data, r := openCSVCase(t, tt.name, tt.file, tt.opts)
			got := readAll(t, r)
			if diff := cmp.Diff(tt.want, got, recordOpts); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if err := checkLayout(data, r.body, got, csvBlank, tt.opts.withDefaults().MaxRecordBytes); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestCSVResume starts a reader at every record of every case and expects
// the same records as a reader that started at the beginning.
func TestCSVResume(t *testing.T) {
	for _, tt := range csvCases {
		t.Run(tt.name, func(t *testing.T) {
			data, r := openCSVCase(t, tt.name, tt.file, tt.opts)
			all := readAll(t, r)
			for i, rec := range all {
				opts := tt.opts
				opts.Start = Position{Offset: rec.Offset, Line: rec.Line}
				r, err := NewCSV(bytes.NewReader(data), opts)
				if err != nil {
					t.Fatalf("NewCSV at record %d: %v", i, err)
				}
				if diff := cmp.Diff(all[i:], readAll(t, r)); diff != "" {
					t.Errorf("resume at record %d (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

func openCSVCase(t *testing.T, name, file string, opts Options) ([]byte, *CSVReader) {
	t.Helper()
	if file == "" {
		file = name
	}
	data := readFixture(t, "csv/"+file+".csv")
	r, err := NewCSV(bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("NewCSV: %v", err)
	}
	return data, r
}

func TestCSVOffsets(t *testing.T) {
	tests := []struct {
		name string
		want []Record // Line, Offset, End, EndLine
	}{
		{"crlf", []Record{{Line: 2, Offset: 9, End: 16, EndLine: 3}, {Line: 3, Offset: 16, End: 23, EndLine: 4}}},
		{"bom", []Record{{Line: 2, Offset: 11, End: 17, EndLine: 3}}},
		{"quoted", []Record{
			{Line: 2, Offset: 8, End: 30, EndLine: 4}, {Line: 4, Offset: 30, End: 45, EndLine: 5},
			{Line: 5, Offset: 45, End: 53, EndLine: 6}, {Line: 6, Offset: 53, End: 61, EndLine: 7},
		}},
		{"blank_lines", []Record{{Line: 3, Offset: 9, End: 15, EndLine: 4}, {Line: 6, Offset: 18, End: 24, EndLine: 7}}},
		{"trailing_cr", []Record{{Line: 2, Offset: 8, End: 14, EndLine: 2}}},
		{"unterminated_eof", []Record{{Line: 2, Offset: 8, End: 30, EndLine: 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r := openCSVCase(t, tt.name, "", Options{})
			var got []Record
			for _, rec := range readAll(t, r) {
				got = append(got, Record{Line: rec.Line, Offset: rec.Offset, End: rec.End, EndLine: rec.EndLine})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("positions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSVErrorMessages(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		record int
		want   []string
	}{
		{"field_count", Options{}, 0, []string{"line 2", "2 fields", "header has 3"}},
		{"text_after_quote", Options{}, 0, []string{"line 2", "after the closing quote", "field 2"}},
		{"invalid_utf8", Options{}, 0, []string{"line 2", "field 2 (name)", "UTF-8"}},
		{"missing_id", Options{}, 1, []string{"line 3", `"id"`, "empty"}},
		{"unterminated_eof", Options{}, 0, []string{"unterminated quoted field starting at line 2", "end of the file", "lines 2 to 4"}},
		{"unterminated_last_line", Options{}, 1, []string{"line 3: unterminated quoted field starting at line 3: no closing quote before the end of the file: close the quote"}},
		{"unterminated_limit", Options{MaxRecordBytes: 20}, 0, []string{"unterminated quoted field starting at line 2", "end of the file", "lines 2 to 6"}},
		{"long_quoted_cell", Options{MaxRecordBytes: 16}, 0, []string{"line 2", "record is 56 bytes", "limit of 16", "--max-record-bytes"}},
		{"too_large_then_quoted", Options{MaxRecordBytes: 16}, 0, []string{"line 2", "record is 39 bytes", "limit of 16"}},
		{"too_large", Options{MaxRecordBytes: 16}, 1, []string{"line 3", "34 bytes", "limit of 16", "--max-record-bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r := openCSVCase(t, tt.name, "", tt.opts)
			msg := readAll(t, r)[tt.record].Err.Message
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestNewCSVHeaderErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		want    error
		columns []string
		say     []string // the message must say these
	}{
		{"header_empty_file", Options{}, ErrNoHeader, nil, []string{"empty", "header row"}},
		{"header_blank_lines", Options{}, ErrNoHeader, nil, []string{"empty"}},
		{"header_bom_only", Options{}, ErrNoHeader, nil, []string{"empty"}},
		{"header_no_id_column", Options{}, ErrNoIDColumn, []string{"email", "name"}, []string{`"id"`, `"email", "name"`, "--id-column"}},
		{"header_duplicate_columns", Options{}, ErrDuplicateColumn, []string{"id", "a", "a"}, []string{"columns 2 and 3", `"a"`}},
		{"header_unnamed_column", Options{}, ErrEmptyColumn, []string{"id", "a", ""}, []string{"column 3"}},
		{"header_invalid_utf8", Options{}, ErrBadHeader, nil, []string{"column 2", "UTF-8"}},
		{"header_unterminated_quote", Options{}, ErrBadHeader, nil, []string{"unterminated quoted field starting at line 1", "header row"}},
		{"header_too_large", Options{MaxRecordBytes: 4}, ErrBadHeader, nil, []string{"--max-record-bytes"}},
		{"header_cr_line_ends", Options{}, ErrBareCR, nil, []string{"carriage return", "line 1", `tr '\r' '\n'`, "Windows or Unix line ends"}},
		{"header_cr_line_ends_small_limit", Options{MaxRecordBytes: 8}, ErrBareCR, nil, []string{"carriage return"}},
		{"header_cr_line_ends_open_quote", Options{}, ErrBareCR, nil, []string{"carriage return"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.name
			switch tt.name {
			case "header_too_large":
				file = "basic"
			case "header_cr_line_ends_small_limit":
				file = "header_cr_line_ends"
			}
			_, err := NewCSV(bytes.NewReader(readFixture(t, "csv/"+file+".csv")), tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("NewCSV error %v, want %v", err, tt.want)
			}
			var he *HeaderError
			if !errors.As(err, &he) {
				t.Fatalf("NewCSV error %T is not a *HeaderError", err)
			}
			if diff := cmp.Diff(tt.columns, he.Columns); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
			for _, s := range tt.say {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

func TestNewCSVStart(t *testing.T) {
	data := readFixture(t, "csv/basic.csv")
	tests := []struct {
		name  string
		start Position
		want  []string // ids
		err   bool
	}{
		{"zero", Position{}, []string{"1", "2"}, false},
		{"header_end", Position{Offset: 14, Line: 2}, []string{"1", "2"}, false},
		{"second_record", Position{Offset: 29, Line: 3}, []string{"2"}, false},
		{"end_of_file", Position{Offset: 44, Line: 4}, nil, false},
		{"inside_header", Position{Offset: 5, Line: 1}, nil, true},
		{"no_line", Position{Offset: 29}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewCSV(bytes.NewReader(data), Options{Start: tt.start})
			if (err != nil) != tt.err {
				t.Fatalf("NewCSV error %v, want error %v", err, tt.err)
			}
			if err != nil {
				return
			}
			var ids []string
			for _, rec := range readAll(t, r) {
				ids = append(ids, rec.ID)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if r.Header()[0] != "id" {
				t.Errorf("header %q, want it read from the start", r.Header())
			}
		})
	}
}

func TestCSVReadError(t *testing.T) {
	data := readFixture(t, "csv/basic.csv")
	r, err := NewCSV(&errReadSeeker{r: bytes.NewReader(data), n: 20}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = r.Next()
	}
	if !errors.Is(err, errDisk) {
		t.Errorf("Next error %v, want %v", err, errDisk)
	}
}

// TestCSVRuneSplitAcrossCells: cells that are invalid UTF-8 on their own
// are refused even when, back to back, their bytes would form a valid rune.
func TestCSVRuneSplitAcrossCells(t *testing.T) {
	in := "id,a,b\n1,x\xe2\x82,\xacy\n"
	r, err := NewCSV(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Err == nil || rec.Err.Code != CodeMalformedRow || !strings.Contains(rec.Err.Message, "field 2 (a) is not valid UTF-8") {
		t.Errorf("record error %v, want MALFORMED_ROW naming field 2", rec.Err)
	}
}

// TestCSVLongQuotedCell is the case of issue 15: a quoted cell longer than
// --max-record-bytes whose lines look like rows must not become rows.
func TestCSVLongQuotedCell(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,hs_communication_body\n1,\"hello\n")
	for b.Len() < 1100<<10 {
		b.WriteString("a line of the body of an email, long enough to matter\n")
	}
	b.WriteString("500,INJECTED-BY-CELL-500\nbye\"\n2,ok\n")
	data := []byte(b.String())
	r, err := NewCSV(bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	last := int64(bytes.Count(data, []byte("\n")))
	want := []Record{
		{Line: 2, Offset: 25, End: int64(len(data)) - 5, EndLine: last, Err: bad(CodeRecordTooLarge)},
		{Line: last, Offset: int64(len(data)) - 5, End: int64(len(data)), EndLine: last + 1,
			ID: "2", Props: p("hs_communication_body", "ok"), Fields: f("2", "ok")},
	}
	opts := cmp.Options{recordOpts, cmpopts.IgnoreFields(Record{}, "Raw")}
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if err := checkLayout(data, r.body, got, csvBlank, DefaultMaxRecordBytes); err != nil {
		t.Error(err)
	}
}

// TestCSVQuoteAtFragmentEnd puts an escaped quote ("") of a long cell
// astride the end of a read buffer (the row's first fragment ends after
// its first bufSize bytes): taken for a closing quote, it would end the
// cell early and make the line after it a row.
func TestCSVQuoteAtFragmentEnd(t *testing.T) {
	const header = "id,note\n"
	for _, max := range []int{1000, DefaultMaxRecordBytes} {
		for k := bufSize - 8; k <= bufSize; k++ {
			t.Run(fmt.Sprintf("max_%d_at_%d", max, k), func(t *testing.T) {
				cell := strings.Repeat("a", k) + `",500,X` + "\n500,INJECTED\nbye"
				data := []byte(header + `1,"` + strings.ReplaceAll(cell, `"`, `""`) + "\"\n2,ok\n")
				r, err := NewCSV(bytes.NewReader(data), Options{MaxRecordBytes: max})
				if err != nil {
					t.Fatal(err)
				}
				first := Record{Line: 2, Err: bad(CodeRecordTooLarge)}
				if max > len(data) {
					first = Record{Line: 2, ID: "1", Props: p("note", cell), Fields: f("1", cell)}
				}
				want := []Record{first, {Line: 5, ID: "2", Props: p("note", "ok"), Fields: f("2", "ok")}}
				got := readAll(t, r)
				opts := cmp.Options{recordOpts, cmpopts.IgnoreFields(Record{}, "Raw")}
				if diff := cmp.Diff(want, got, opts...); diff != "" {
					t.Errorf("records (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// A dead-letter file is written with ',' whatever the input's delimiter,
// and fed back through the same config: its header, which ends with the
// columns hubsync adds, chooses ',' over the configured delimiter.
func TestCSVDeadLetterFileKeepsComma(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		sep     byte
		wantSep byte
		wantIDs []string
	}{
		{name: "dead-letter file, --delimiter ';'", sep: ';', wantSep: ',',
			data:    "id,hs_communication_body,_error_code,_error_message,_source_line\r\n7,\"a; b\",OBJECT_NOT_FOUND,\"no such record; gone\",12\r\n9,c,MISSING_ID,x,14\r\n",
			wantIDs: []string{"7", "9"}},
		{name: "dead-letter file, tab", sep: '\t', wantSep: ',',
			data:    "id,_error_code,_error_message,_source_line\n7,E,m,2\n",
			wantIDs: []string{"7"}},
		{name: "input with a _source_line column", sep: ';', wantSep: ';',
			data:    "id;notes,_error_code,_error_message;_source_line\n7;x;3\n",
			wantIDs: []string{"7"}},
		{name: "plain ';' input", sep: ';', wantSep: ';',
			data:    "id;name\n7;a,b\n",
			wantIDs: []string{"7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewCSV(strings.NewReader(tt.data), Options{Delimiter: tt.sep})
			if err != nil {
				t.Fatalf("NewCSV: %v", err)
			}
			if got := r.Delimiter(); got != tt.wantSep {
				t.Errorf("read with delimiter %q, want %q", got, tt.wantSep)
			}
			var ids []string
			for {
				rec, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if rec.Err != nil {
					t.Fatalf("line %d: %v", rec.Line, rec.Err)
				}
				ids = append(ids, rec.ID)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}
