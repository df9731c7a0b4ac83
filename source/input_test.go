package source

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// synthFile is a file of head, then n copies of fill, then tail, that is
// never held in memory whole.
type synthFile struct {
	head, tail string
	fill       byte
	n          int64
	off        int64
}

func (s *synthFile) size() int64 { return int64(len(s.head)) + s.n + int64(len(s.tail)) }

func (s *synthFile) Read(p []byte) (int, error) {
	if s.off >= s.size() {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && s.off < s.size() {
		switch h := int64(len(s.head)); {
		case s.off < h:
			p[k] = s.head[s.off]
		case s.off < h+s.n:
			p[k] = s.fill
		default:
			p[k] = s.tail[s.off-h-s.n]
		}
		k++
		s.off++
	}
	return k, nil
}

func (s *synthFile) Seek(off int64, whence int) (int64, error) {
	if whence != io.SeekStart {
		return 0, errors.New("synthFile: only io.SeekStart")
	}
	s.off = off
	return off, nil
}

// TestHugeLine reads lines far longer than MaxRecordBytes and expects them
// skipped in memory bounded by the limit, not by the line, and the record
// after them read: except after a quote that never closes, which makes the
// rest of the file one record.
func TestHugeLine(t *testing.T) {
	const (
		max   = 64 << 10
		n     = 16 << 20
		bound = 2 << 20 // bytes allocated in all
	)
	tests := []struct {
		name  string
		file  *synthFile
		jsonl bool
		code  string
	}{
		{"csv_plain", &synthFile{head: "id,note\n1,", fill: 'x', n: n, tail: "\r\n2,after\n"}, false, CodeRecordTooLarge},
		{"csv_open_quote", &synthFile{head: "id,note\n1,\"", fill: 'x', n: n, tail: "\n2,after\n"}, false, CodeMalformedRow},
		{"csv_quoted_lines", &synthFile{head: "id,note\n1,\"", fill: '\n', n: n / 8, tail: "\"\n2,after\n"}, false, CodeRecordTooLarge},
		{"csv_quoted_long_lines", &synthFile{head: "id,note\n1,\"", fill: 'x', n: n, tail: "\n2,after\"\n2,after\n"}, false, CodeRecordTooLarge},
		{"jsonl", &synthFile{head: `{"id":"1","note":"`, fill: 'x', n: n, tail: "\"}\n{\"id\":\"2\"}\n"}, true, CodeRecordTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var r reader
			var err error
			if tt.jsonl {
				r, err = NewJSONL(tt.file, Options{MaxRecordBytes: max})
			} else {
				r, err = NewCSV(tt.file, Options{MaxRecordBytes: max})
			}
			if err != nil {
				t.Fatal(err)
			}
			big, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			last := big
			for err == nil {
				var rec Record
				if rec, err = r.Next(); err == nil {
					last = rec
				}
			}
			if err != io.EOF {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&after)
			if big.Err == nil || big.Err.Code != tt.code {
				t.Errorf("first record error %v, want %s", big.Err, tt.code)
			}
			if len(big.Raw) > max {
				t.Errorf("raw is %d bytes", len(big.Raw))
			}
			if tt.code == CodeRecordTooLarge && !strings.Contains(big.Err.Message, "--max-record-bytes") {
				t.Errorf("message %q does not name --max-record-bytes", big.Err.Message)
			}
			wantID := "2"
			if tt.code == CodeMalformedRow {
				wantID = ""
			}
			if last.ID != wantID || last.End != tt.file.size() {
				t.Errorf("last record %q ends at %d, want id %q ending at %d", last.ID, last.End, wantID, tt.file.size())
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > bound {
				t.Errorf("allocated %d KiB to read a %d MiB line", alloc>>10, tt.file.n>>20)
			}
		})
	}
}

// TestIncompleteLastLine: a last line without a line end, in a file that
// changed while it was read, may be a line still being written, cut short.
// It must not be sent, whatever it looks like; with the file unchanged, or
// a line end at the end, nothing changes.
func TestIncompleteLastLine(t *testing.T) {
	const csvHead, jsonHead = "id,name\n1,Ann\n", `{"id":"1","name":"Ann"}` + "\n"
	long := strings.Repeat("x", 100)
	tests := []struct {
		name    string
		jsonl   bool
		data    string
		changed string // "nil", "false" or "true": what Changed is
		want    string // the last record's error code, "" for none
		raw     string // the last record's Raw, when want is INCOMPLETE_RECORD (all of it: it is shorter than 4 KiB)
	}{
		{"csv_cut", false, csvHead + "9999,PARTIAL-VAL", "true", CodeIncomplete, "9999,PARTIAL-VAL"},
		{"csv_cut_unchanged", false, csvHead + "9999,PARTIAL-VAL", "false", "", ""},
		{"csv_cut_no_check", false, csvHead + "9999,PARTIAL-VAL", "nil", "", ""},
		{"csv_line_end", false, csvHead + "2,Bob\n", "true", "", ""},
		{"csv_crlf_line_end", false, csvHead + "2,Bob\r\n", "true", "", ""},
		{"csv_lone_cr", false, csvHead + "2,Bob\r", "true", CodeIncomplete, "2,Bob"},
		{"csv_quoted", false, csvHead + "2,\"Bob\"", "true", CodeIncomplete, `2,"Bob"`},
		{"csv_open_quote", false, csvHead + "2,\"Bo", "true", CodeIncomplete, `2,"Bo`},
		{"csv_too_large", false, csvHead + "2," + long, "true", CodeIncomplete, "2," + long},
		{"csv_too_large_quoted", false, csvHead + "2,\"a\n" + long + "\",x", "true", CodeIncomplete, "2,\"a\n" + long + "\",x"},
		{"csv_too_large_line_end", false, csvHead + "2," + long + "\n", "true", CodeRecordTooLarge, ""},
		{"jsonl_cut", true, jsonHead + `{"id":"9999","name":"PARTIAL-VAL`, "true", CodeIncomplete, `{"id":"9999","name":"PARTIAL-VAL`},
		{"jsonl_whole_object", true, jsonHead + `{"id":"2"}`, "true", CodeIncomplete, `{"id":"2"}`},
		{"jsonl_cut_unchanged", true, jsonHead + `{"id":"2"}`, "false", "", ""},
		{"jsonl_cut_no_check", true, jsonHead + `{"id":"2"}`, "nil", "", ""},
		{"jsonl_line_end", true, jsonHead + `{"id":"2"}` + "\n", "true", "", ""},
		{"jsonl_blank_end", true, jsonHead + "  ", "true", "", ""},
		{"jsonl_too_large", true, jsonHead + `{"id":"2","a":"` + long, "true", CodeIncomplete, `{"id":"2","a":"` + long},
		{"jsonl_too_large_line_end", true, jsonHead + `{"id":"2","a":"` + long + "\"}\n", "true", CodeRecordTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{MaxRecordBytes: 64}
			calls := 0
			if tt.changed != "nil" {
				opts.Changed = func() bool { calls++; return tt.changed == "true" }
			}
			var r reader
			var err error
			if tt.jsonl {
				r, err = NewJSONL(strings.NewReader(tt.data), opts)
			} else {
				r, err = NewCSV(strings.NewReader(tt.data), opts)
			}
			if err != nil {
				t.Fatal(err)
			}
			recs := readAll(t, r)
			if len(recs) != 2 && tt.name != "jsonl_blank_end" || len(recs) < 1 {
				t.Fatalf("%d records, want 2", len(recs))
			}
			if first := recs[0]; first.ID != "1" || first.Err != nil {
				t.Errorf("first record %q, %v: want id 1 and no error", first.ID, first.Err)
			}
			last := recs[len(recs)-1]
			if tt.name == "jsonl_blank_end" {
				last = Record{}
			}
			var got string
			if last.Err != nil {
				got = last.Err.Code
			}
			if got != tt.want {
				t.Fatalf("last record error %v, want %q", last.Err, tt.want)
			}
			if want := strings.HasSuffix(tt.name, "_cut_unchanged") || tt.want == CodeIncomplete; (calls > 0) != want {
				t.Errorf("Changed called %d times", calls)
			}
			if got != CodeIncomplete {
				return
			}
			if last.End != int64(len(tt.data)) || last.ID != "" || last.Props != nil || last.Fields != nil {
				t.Errorf("last record ends at %d (want %d), id %q, props %v, fields %q: want no id, props nor fields",
					last.End, len(tt.data), last.ID, last.Props, last.Fields)
			}
			if string(last.Raw) != tt.raw {
				t.Errorf("raw %q, want %q", last.Raw, tt.raw)
			}
			for _, w := range []string{fmt.Sprintf("line %d", last.Line), "changed while it was read", "no line end", "rerun once the export has finished"} {
				if !strings.Contains(last.Err.Message, w) {
					t.Errorf("message %q does not say %q", last.Err.Message, w)
				}
			}
		})
	}
}
