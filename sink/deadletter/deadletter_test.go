package deadletter

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hubsync/hubsync/source"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// hubspotFailure stands for a record HubSpot rejected.
const (
	hubspotCode    = "INVALID_OPTION"
	hubspotMessage = `Property values were not valid: "lifecyclestage" has no option "<x>"`
)

// readInput reads a file with the source package.
func readInput(t *testing.T, name string, opts source.Options) (header []string, recs []source.Record) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r interface {
		Next() (source.Record, error)
	}
	if strings.HasSuffix(name, ".csv") {
		c, err := source.NewCSV(f, opts)
		if err != nil {
			t.Fatal(err)
		}
		header, r = c.Header(), c
	} else if r, err = source.NewJSONL(f, opts); err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return header, recs
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
}

// writeAll dead-letters every record: with its own error, or else as if
// HubSpot had rejected it. It returns the file's bytes.
func writeAll(t *testing.T, path string, format source.Format, header []string, recs []source.Record) []byte {
	t.Helper()
	w, err := Open(path, format, header)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		code, msg := hubspotCode, hubspotMessage
		if e := recs[i].Err; e != nil {
			code, msg = e.Code, e.Message
		}
		if err := w.Write(&recs[i], code, msg); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != w.Size() {
		t.Errorf("Size() = %d, file has %d bytes", w.Size(), len(b))
	}
	return b
}

var writeCases = []struct {
	name   string // input file, and golden file
	format source.Format
	opts   source.Options
}{
	{"mixed.csv", source.CSV, source.Options{MaxRecordBytes: 40}},
	{"requeued.csv", source.CSV, source.Options{}},
	{"mixed.jsonl", source.JSONL, source.Options{MaxRecordBytes: 90}},
}

func TestWriteGolden(t *testing.T) {
	for _, tt := range writeCases {
		t.Run(tt.name, func(t *testing.T) {
			header, recs := readInput(t, filepath.Join("testdata", "input", tt.name), tt.opts)
			got := writeAll(t, filepath.Join(t.TempDir(), tt.name), tt.format, header, recs)
			golden := filepath.Join("testdata", "golden", tt.name)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("dead-letter file (-golden +got):\n%s", diff)
			}
		})
	}
}

// TestRoundTrip feeds a dead-letter file back to the source readers: every
// record that parsed must come back with the same id and properties, every
// other one as a record of its own, and Scan must list every source line.
func TestRoundTrip(t *testing.T) {
	for _, tt := range writeCases {
		t.Run(tt.name, func(t *testing.T) {
			header, recs := readInput(t, filepath.Join("testdata", "input", tt.name), tt.opts)
			path := filepath.Join(t.TempDir(), tt.name)
			writeAll(t, path, tt.format, header, recs)
			_, back := readInput(t, path, source.Options{})
			if len(back) != len(recs) {
				t.Fatalf("read back %d records, wrote %d", len(back), len(recs))
			}
			for i, rec := range recs {
				if rec.Err != nil {
					continue
				}
				type idProps struct {
					ID    string
					Props []source.Prop
				}
				if diff := cmp.Diff(idProps{rec.ID, rec.Props}, idProps{back[i].ID, back[i].Props}); diff != "" {
					t.Errorf("record %d (line %d) read back (-original +back):\n%s", i, rec.Line, diff)
				}
			}
			var want, got []int64
			for _, rec := range recs {
				want = append(want, rec.Line)
			}
			if err := Scan(path, tt.format, 0, func(line int64) error { got = append(got, line); return nil }); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Scan lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOpenAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dead.csv")
	header := []string{"id", "name"}
	rec := source.Record{Line: 2, ID: "1", Fields: []string{"1", "Ann"}}
	for range 2 {
		w, err := Open(path, source.CSV, header)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(&rec, "C", "m"); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	}
	got, _ := os.ReadFile(path)
	want := "id,name,_error_code,_error_message,_source_line\n1,Ann,C,m,2\n1,Ann,C,m,2\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("file after two runs (-want +got):\n%s", diff)
	}
}

func TestOpenHeaderMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dead.csv")
	if err := os.WriteFile(path, []byte("id,email,_error_code,_error_message,_source_line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, source.CSV, []string{"id", "name"})
	if !errors.Is(err, ErrHeaderMismatch) {
		t.Fatalf("Open error %v, want %v", err, ErrHeaderMismatch)
	}
	if !strings.Contains(err.Error(), "--dead-letter") {
		t.Errorf("error %q does not say what to do", err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.HasPrefix(got, []byte("id,email,")) {
		t.Errorf("Open changed the file: %q", got)
	}
}

// TestOpenCutsIncompleteEntry opens files a crash left in the middle of an
// entry: the incomplete entry goes, complete ones stay.
func TestOpenCutsIncompleteEntry(t *testing.T) {
	const csvHead = "id,note,_error_code,_error_message,_source_line\n"
	tests := []struct {
		name   string
		format source.Format
		file   string
		want   string // before the new entry
	}{
		{"csv_torn_line", source.CSV, csvHead + "1,a,C,m,2\n2,b,C,m,1", csvHead + "1,a,C,m,2\n"},
		{"csv_torn_in_quotes", source.CSV, csvHead + "1,a,C,m,2\n2,\"b\n", csvHead + "1,a,C,m,2\n"},
		{"csv_torn_header", source.CSV, "id,no", csvHead},
		{"csv_complete", source.CSV, csvHead + "1,\"a\nb\",C,m,2\n", csvHead + "1,\"a\nb\",C,m,2\n"},
		{"jsonl_torn_line", source.JSONL, "{\"_error\":{}}\n{\"id\":\"2\",\"_err", "{\"_error\":{}}\n"},
		{"jsonl_torn_first_line", source.JSONL, "{\"id\":\"2\",\"_err", ""},
		{"jsonl_complete", source.JSONL, "{\"_error\":{}}\n", "{\"_error\":{}}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dead")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			w, err := Open(path, tt.format, []string{"id", "note"})
			if err != nil {
				t.Fatal(err)
			}
			if w.Size() != int64(len(tt.want)) {
				t.Errorf("Size() = %d after Open, want %d", w.Size(), len(tt.want))
			}
			rec := source.Record{Line: 7, ID: "7", Fields: []string{"7", "x"}, Raw: []byte(`{"id":"7"}`)}
			if err := w.Write(&rec, "C", "m"); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if !strings.HasPrefix(string(got), tt.want) || strings.Count(string(got), "\n") != strings.Count(tt.want, "\n")+1 {
				t.Errorf("file %q, want %q and one new entry", got, tt.want)
			}
		})
	}
}

func TestSyncSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dead.jsonl")
	w, err := Open(path, source.JSONL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rec := source.Record{Line: 1, ID: "1", Raw: []byte(`{"id":"1"}`)}
	for i := range 3 {
		if err := w.Write(&rec, "C", "m"); err != nil {
			t.Fatal(err)
		}
		if err := w.Sync(); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() != w.Size() {
			t.Errorf("after Sync %d: file has %d bytes, Size() = %d", i, st.Size(), w.Size())
		}
	}
}
