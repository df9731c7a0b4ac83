package deadletter

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hubsync/hubsync/source"
)

func TestScan(t *testing.T) {
	const csvHead = "id,note,_error_code,_error_message,_source_line\n"
	csvBody := "1,a,C,m,2\n2,\"b\nc\",C,m,3\n3,c,C,m,5\n"
	jsonlBody := `{"id":"1","_error":{"code":"C","message":"m","line":2}}` + "\n" +
		`{"_error":{"code":"C","message":"m","line":3,"raw":"x"}}` + "\n" +
		`{"id":"3","_error":{"code":"C","message":"m","line":5}}` + "\n"
	tests := []struct {
		name   string
		format source.Format
		file   string
		from   int64
		want   []int64
	}{
		{"csv_all", source.CSV, csvHead + csvBody, 0, []int64{2, 3, 5}},
		{"csv_from_entry", source.CSV, csvHead + csvBody, int64(len(csvHead) + 10), []int64{3, 5}},
		{"csv_from_end", source.CSV, csvHead + csvBody, int64(len(csvHead + csvBody)), nil},
		{"csv_torn_last_line", source.CSV, csvHead + csvBody + "4,d,C,m,1", 0, []int64{2, 3, 5}},
		{"csv_torn_in_quotes", source.CSV, csvHead + csvBody + "4,\"d\n", 0, []int64{2, 3, 5}},
		{"csv_garbage", source.CSV, csvHead + "1,a,C,m,2\nx\"y\n\x00\x00\n1,a,C,m,zz\n3,c,C,m,5\n", 0, []int64{2, 5}},
		{"csv_header_only", source.CSV, csvHead, 0, nil},
		{"csv_empty", source.CSV, "", 0, nil},
		{"jsonl_all", source.JSONL, jsonlBody, 0, []int64{2, 3, 5}},
		{"jsonl_from_entry", source.JSONL, jsonlBody, int64(strings.IndexByte(jsonlBody, '\n') + 1), []int64{3, 5}},
		{"jsonl_torn_last_line", source.JSONL, jsonlBody + `{"_error":{"line":7}`, 0, []int64{2, 3, 5}},
		{"jsonl_garbage", source.JSONL, "\x00\x00\n{\"a\":1}\n\n" + jsonlBody, 0, []int64{2, 3, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dead")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			var got []int64
			err := Scan(path, tt.format, tt.from, func(line int64) error {
				got = append(got, line)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScanMissingFile(t *testing.T) {
	err := Scan(filepath.Join(t.TempDir(), "none.csv"), source.CSV, 0, func(int64) error {
		t.Error("fn called")
		return nil
	})
	if err != nil {
		t.Errorf("Scan of a missing file: %v", err)
	}
}

func TestScanStopsAtCallbackError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dead.jsonl")
	body := `{"_error":{"line":1}}` + "\n" + `{"_error":{"line":2}}` + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	calls := 0
	err := Scan(path, source.JSONL, 0, func(int64) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Scan = %v after %d calls, want %v after 1", err, calls, stop)
	}
}
