package emulator

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// benchBody is a realistic 100-input communications batch starting at id first.
func benchBody(first int) string {
	in := make([]string, 100)
	for i := range in {
		id := first + i
		in[i] = fmt.Sprintf(`{"id":"%d","objectWriteTraceId":"row-%d","properties":{`+
			`"hs_communication_body":"Follow-up message %d sent to the customer about their order, with a few more words",`+
			`"hs_communication_channel_type":"WHATS_APP","hs_communication_logged_from":"CRM",`+
			`"hs_timestamp":"2024-05-01T10:00:00.000Z","message_count":"%d"}}`, id, id, id, i)
	}
	return batchOf(in...)
}

// BenchmarkBatchUpdate100 sends 100-input batches over loopback HTTP from
// parallel clients and reports the request rate the emulator sustains
// (client and server share the machine's cores).
func BenchmarkBatchUpdate100(b *testing.B) {
	_, base := startServer(b, Config{SeedIDs: 1_000_000})
	bodies := make([]string, 64)
	for i := range bodies {
		bodies[i] = benchBody(1 + i*100)
	}
	url := base + "/crm/v3/objects/communications/batch/update"
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var next atomic.Int64

	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := bodies[next.Add(1)%int64(len(bodies))]
			req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+testToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(b.N)*100/elapsed.Seconds(), "records/s")
}

// BenchmarkServeHTTP100 is the server's share alone: one 100-input batch
// through ServeHTTP, no network and no client.
func BenchmarkServeHTTP100(b *testing.B) {
	s, err := New(Config{Token: testToken, SeedIDs: 1_000_000})
	if err != nil {
		b.Fatal(err)
	}
	body := benchBody(1)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/crm/v3/objects/communications/batch/update", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
