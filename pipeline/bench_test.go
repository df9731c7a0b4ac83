package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// benchRecords is the size of the input of one BenchmarkPipeline iteration.
const benchRecords = 100_000

// BenchmarkPipeline measures hubsync's own cost per record: CSV parsing,
// chunking, request encoding and response decoding, through the real
// client over loopback HTTP. The server only looks up a canned HubSpot-like
// 200 answer (ids and the ten written properties echoed) for each batch, so
// that the figures are the client's.
func BenchmarkPipeline(b *testing.B) {
	var csv bytes.Buffer
	csv.WriteString("id")
	for p := range 10 {
		fmt.Fprintf(&csv, ",prop_%d", p)
	}
	csv.WriteString("\n")
	answers := make(map[string][]byte, benchRecords/100)
	var ans bytes.Buffer
	for i := 1; i <= benchRecords; i++ {
		if i%100 == 1 {
			ans.Reset()
			ans.WriteString(`{"status":"COMPLETE","startedAt":"2026-11-28T10:00:00.000Z","completedAt":"2026-11-28T10:00:00.100Z","results":[`)
		}
		fmt.Fprintf(&csv, "%d", i)
		if i%100 != 1 {
			ans.WriteByte(',')
		}
		fmt.Fprintf(&ans, `{"id":"%d","properties":{`, i)
		for p := range 10 {
			v := "value " + strconv.Itoa(i*7+p)
			fmt.Fprintf(&csv, ",%s", v)
			fmt.Fprintf(&ans, `"prop_%d":"%s",`, p, v)
		}
		fmt.Fprintf(&ans, `"hs_object_id":"%d"},"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-11-28T10:00:00.050Z","archived":false}`, i)
		csv.WriteString("\n")
		if i%100 == 0 {
			ans.WriteString("]}")
			answers[strconv.Itoa(i-99)] = bytes.Clone(ans.Bytes())
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// The first input's id names the batch: inputs are ids n..n+99.
		i := bytes.Index(body, []byte(`"id":"`)) + len(`"id":"`)
		j := bytes.IndexByte(body[i:], '"')
		w.Header().Set("Content-Type", "application/json")
		w.Write(answers[string(body[i:i+j])])
	}))
	defer srv.Close()
	client, err := sink.New(sink.Config{BaseURL: srv.URL, Token: "bench", ObjectType: "communications"})
	if err != nil {
		b.Fatal(err)
	}
	input := csv.Bytes()

	b.ReportAllocs()
	b.SetBytes(int64(len(input)))
	for b.Loop() {
		r, err := source.NewCSV(bytes.NewReader(input), source.Options{})
		if err != nil {
			b.Fatal(err)
		}
		p, err := New(Config{BatchSize: 100, Workers: 4}, r, client, &fakeDead{}, NewLimiter(0, 0), zap.NewNop())
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		if got := p.Stats().Applied.Load(); got != benchRecords {
			b.Fatalf("applied %d, want %d", got, benchRecords)
		}
	}
	b.ReportMetric(float64(benchRecords*b.N)/b.Elapsed().Seconds(), "records/s")
}
