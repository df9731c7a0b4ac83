package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWriteSampleGolden pins the demo's sample file byte for byte: the demo's
// story (which rows fail and why) is told from it.
func TestWriteSampleGolden(t *testing.T) {
	var buf bytes.Buffer
	if _, err := writeSample(&buf, 100, 1); err != nil {
		t.Fatalf("writeSample: %v", err)
	}
	checkGolden(t, filepath.Join("testdata", "sample", "communications-100.csv"), buf.Bytes())
}

// TestWriteSampleCountsItsBadRows reads a sample back and checks that the
// bad rows writeSample reports are the ones in the file, and that the header
// comes once however many chunks the rows were written in.
func TestWriteSampleCountsItsBadRows(t *testing.T) {
	for _, n := range []int{100, 2500} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var buf bytes.Buffer
			bad, err := writeSample(&buf, n, 1)
			if err != nil {
				t.Fatalf("writeSample: %v", err)
			}
			cr := csv.NewReader(&buf)
			cr.FieldsPerRecord = -1
			header, err := cr.Read()
			if err != nil {
				t.Fatalf("read header: %v", err)
			}
			wantHeader := []string{"id", "hs_communication_channel_type", "hs_communication_logged_from",
				"hs_communication_body", "hs_timestamp", "hubspot_owner_id", "message_count", "is_priority",
				"sentiment", "topics"}
			if diff := cmp.Diff(wantHeader, header); diff != "" {
				t.Fatalf("header (-want +got):\n%s", diff)
			}
			var got sampleBad
			rows := 0
			for {
				row, err := cr.Read()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("read row %d: %v", rows+1, err)
				}
				rows++
				switch {
				case len(row) != len(header):
					got.malformed++
				case row[0] == "":
					got.missingID++
				case row[0] == "id":
					t.Fatalf("row %d repeats the header", rows)
				case row[1] == "CARRIER_PIGEON":
					got.badOption++
				default:
					if id, err := strconv.Atoi(row[0]); err != nil || id > n {
						got.notFound++
					}
				}
			}
			if diff := cmp.Diff(bad, got, cmp.AllowUnexported(sampleBad{})); diff != "" {
				t.Errorf("bad rows (-reported +in the file):\n%s", diff)
			}
			if bad.total() == 0 {
				t.Error("the sample has no bad rows")
			}
			if want := n + bad.malformed; rows != want {
				t.Errorf("%d rows, want %d (%d records and %d malformed rows)", rows, want, n, bad.malformed)
			}
		})
	}
}
