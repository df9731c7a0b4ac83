package source

import (
	"errors"
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
