package source

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

const benchRecords = 10000

// benchCSV is a file of 10-property records of typical CRM data, whose
// last cell is quoted if notes is.
func benchCSV(notes string) []byte {
	var b bytes.Buffer
	b.WriteString("id,firstname,lastname,email,phone,company,city,country,lifecyclestage,score,notes\n")
	for i := range benchRecords {
		fmt.Fprintf(&b, "%d,Ann%d,Smith,ann.smith%d@example.com,+44 20 7946 %04d,Acme Ltd,London,United Kingdom,customer,%d,%s\n",
			1000000+i, i, i, i%10000, i%100, notes)
	}
	return b.Bytes()
}

func benchJSONL() []byte {
	var b bytes.Buffer
	for i := range benchRecords {
		fmt.Fprintf(&b, `{"id":"%d","firstname":"Ann%d","lastname":"Smith","email":"ann.smith%d@example.com","phone":"+44 20 7946 %04d",`+
			`"company":"Acme Ltd","city":"London","country":"United Kingdom","lifecyclestage":"customer","score":%d,"optin":true}`+"\n",
			1000000+i, i, i, i%10000, i%100)
	}
	return b.Bytes()
}

func BenchmarkCSV(b *testing.B) {
	for _, bc := range []struct{ name, notes string }{
		{"quoted", `"likes ""quotes"", commas"`},
		{"plain", "likes plain text"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := benchCSV(bc.notes)
			benchRead(b, data, func(r io.ReadSeeker) (reader, error) { return NewCSV(r, Options{}) })
		})
	}
}

func BenchmarkJSONL(b *testing.B) {
	data := benchJSONL()
	benchRead(b, data, func(r io.ReadSeeker) (reader, error) { return NewJSONL(r, Options{}) })
}

// benchRead reads one record per iteration, starting over at the end.
func benchRead(b *testing.B, data []byte, open func(io.ReadSeeker) (reader, error)) {
	r, err := open(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data) / benchRecords))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rec, err := r.Next()
		if err == io.EOF {
			b.StopTimer()
			r, _ = open(bytes.NewReader(data))
			b.StartTimer()
			rec, err = r.Next()
		}
		if err != nil || rec.Err != nil || len(rec.Props) != 10 {
			b.Fatalf("record %+v: %v", rec, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
