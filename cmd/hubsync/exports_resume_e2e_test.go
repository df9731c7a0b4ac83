package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/emulator"
)

// TestEncodedExportResumes interrupts the sync of an export in each
// encoding halfway, then resumes it: the checkpoint's offset is one of the
// file's own bytes, the rerun seeks there, and every record ends up with
// its exact text.
func TestEncodedExportResumes(t *testing.T) {
	const rows = 1500
	tests := []struct {
		name   string
		args   []string
		body   func(i int) string
		encode func(t *testing.T, text string) []byte
	}{
		{"windows-1252 with semicolons", []string{"--encoding", "windows-1252"},
			func(i int) string { return fmt.Sprintf("Rückruf Nr. %d; 10 € für Café", i) },
			func(t *testing.T, text string) []byte {
				b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(strings.ReplaceAll(text, ",", ";")))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}},
		{"latin-1", []string{"--encoding", "latin-1"},
			func(i int) string { return fmt.Sprintf("Déjà vu %d, Müller", i) },
			func(t *testing.T, text string) []byte {
				b, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(text))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}},
		{"utf-16 with tabs", nil,
			func(i int) string { return fmt.Sprintf("Thanks 👍 %d – Zoë: 10 €", i) },
			func(t *testing.T, text string) []byte {
				b := []byte{0xFF, 0xFE}
				for _, u := range utf16.Encode([]rune(strings.ReplaceAll(text, ",", "\t"))) {
					b = append(b, byte(u), byte(u>>8))
				}
				return b
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Config{SeedIDs: rows,
				Faults: emulator.Faults{PSlow: 1, SlowDelay: 15 * time.Millisecond}})
			var text strings.Builder
			text.WriteString("Record ID,Body\r\n")
			for i := 1; i <= rows; i++ {
				fmt.Fprintf(&text, "%d,\"%s\"\r\n", i, tt.body(i))
			}
			path := filepath.Join(t.TempDir(), "export.csv")
			data := tt.encode(t, text.String())
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--rate", "0",
				"--workers", "1", "--batch-size", "10", "--log-format", "json"}, tt.args...)
			args = append(args, path)

			cmd, errb := startSync(t, args...)
			waitFor(t, 30*time.Second, "half the records", func() bool { return srv.Stats().RecordsApplied >= rows/2 })
			cmd.Process.Signal(os.Interrupt)
			if got := exitStatus(cmd.Wait()); got != exitResumable {
				t.Fatalf("after SIGINT: exit status %d, want %d\n%s", got, exitResumable, tail(errb.String()))
			}
			st, err := checkpoint.Load(path + ".checkpoint.json")
			if err != nil {
				t.Fatal(err)
			}
			off := st.Watermark.Offset
			if st.Complete || off <= 0 || off >= int64(len(data)) {
				t.Fatalf("checkpoint after SIGINT: complete %v at offset %d of %d; want a partial run", st.Complete, off, len(data))
			}
			// The offset is where a row starts in the file's own bytes:
			// just after a line feed, in its encoding.
			lf := []byte("\n")
			if data[0] == 0xFF {
				lf = []byte("\n\x00")
			}
			if !strings.HasSuffix(string(data[:off]), string(lf)) {
				t.Errorf("checkpoint offset %d is not at the start of a line of the file", off)
			}

			res := runHubsync(t, args...)
			if res.code != exitOK {
				t.Fatalf("resumed run: exit status %d, want %d\n%s", res.code, exitOK, tail(res.stderr))
			}
			if !strings.Contains(res.stderr, `"resumed":true`) {
				t.Errorf("the second run did not resume:\n%s", tail(res.stderr))
			}
			for i := 1; i <= rows; i++ {
				got, _ := srv.Record("communications", strconv.Itoa(i))
				if want := tt.body(i); got["hs_communication_body"] != want {
					t.Fatalf("record %d: body %q, want %q", i, got["hs_communication_body"], want)
				}
			}
		})
	}
}
