package source

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestCSVRecordsOwnTheirMemory: records carved from shared arenas stay
// intact after thousands of later reads (several blocks of each kind), and
// appending to one record's Fields or Props never writes into another's.
func TestCSVRecordsOwnTheirMemory(t *testing.T) {
	const rows = 5000
	var in bytes.Buffer
	in.WriteString("id,a,b\n")
	long := strings.Repeat("x", arenaBytes/4+1) // takes the large-row path
	for i := range rows {
		b := fmt.Sprintf("b%d", i)
		if i%1000 == 7 {
			b = long
		}
		fmt.Fprintf(&in, "%d,a%d,%s\n", i, i, b)
	}
	r, err := NewCSV(bytes.NewReader(in.Bytes()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if len(recs) != rows {
		t.Fatalf("read %d records, want %d", len(recs), rows)
	}
	// Appending must reallocate, not overwrite the next record's slots.
	for i := range recs {
		recs[i].Fields = append(recs[i].Fields, "extra")
		recs[i].Props = append(recs[i].Props, Prop{Name: "extra", Value: "extra"})
	}
	for i, rec := range recs {
		b := fmt.Sprintf("b%d", i)
		if i%1000 == 7 {
			b = long
		}
		want := []string{fmt.Sprint(i), fmt.Sprintf("a%d", i), b, "extra"}
		if fmt.Sprint(rec.Fields) != fmt.Sprint(want) {
			t.Fatalf("record %d Fields = %.80v, want %.80v", i, rec.Fields, want)
		}
		if rec.ID != want[0] || len(rec.Props) != 3 || rec.Props[0] != (Prop{"a", want[1]}) || rec.Props[1] != (Prop{"b", b}) {
			t.Fatalf("record %d: ID %q, Props %.80v", i, rec.ID, rec.Props)
		}
	}
}
