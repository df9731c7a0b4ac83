package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/hubsync/hubsync/emulator"
)

// rateRun syncs a file of rows records at --rate 20/1s against an emulator
// that enforces the same limit, and returns the emulator's counters.
func rateRun(tb testing.TB, rows, batch int) (emulator.Stats, result) {
	srv, url := startEmulatorTB(tb, emulator.Config{Token: testToken, SeedIDs: int64(rows), Rate: 20, Window: time.Second})
	ds := generate(tb, tb.TempDir(), "calls.csv", genOptions{rows: rows, seedIDs: rows, unique: true, seed: 5})
	res := runHubsync(tb, "sync", "--base-url", url, "--object", "communications", "--rate", "20/1s",
		"--batch-size", strconv.Itoa(batch), "--log-format", "json", ds.path)
	if res.code != exitOK {
		tb.Fatalf("exit status %d, want 0\n%s", res.code, tail(res.stderr))
	}
	return srv.Stats(), res
}

// TestSyncStaysWithinRollingWindow checks that --rate 20/1s against an
// emulator limited to 20 requests per rolling second trips the limit on at
// most 1% of requests, and that nothing is lost.
func TestSyncStaysWithinRollingWindow(t *testing.T) {
	st, res := rateRun(t, 4000, 40) // 100 requests, 5 windows
	if st.MaxInWindow > 20 {
		t.Errorf("emulator admitted %d requests in one rolling second, limit 20", st.MaxInWindow)
	}
	if n := st.ByStatus[429]; n*100 > st.BatchRequests {
		t.Errorf("%d of %d requests answered 429, want at most 1%%", n, st.BatchRequests)
	}
	if st.RecordsApplied != 4000 {
		t.Errorf("emulator applied %d records, want 4000", st.RecordsApplied)
	}
	t.Logf("%d requests, %d answered 429, max %d in a rolling second, %.1f requests/s",
		st.BatchRequests, st.ByStatus[429], st.MaxInWindow, float64(st.BatchRequests)/res.elapsed.Seconds())
}

// BenchmarkRateLimited20per1s measures how much of a 20 requests/s budget a
// sync uses: requests/s against the ideal 20, and the share answered 429.
func BenchmarkRateLimited20per1s(b *testing.B) {
	for b.Loop() {
		st, res := rateRun(b, 20000, 100) // 200 requests: 10 s at the limit
		secs := res.elapsed.Seconds()
		b.ReportMetric(float64(st.BatchRequests)/secs, "requests/s")
		b.ReportMetric(float64(st.RecordsApplied)/secs, "records/s")
		b.ReportMetric(100*float64(st.ByStatus[429])/float64(st.BatchRequests), "%429")
		b.ReportMetric(float64(st.MaxInWindow), "max-in-window")
	}
}
