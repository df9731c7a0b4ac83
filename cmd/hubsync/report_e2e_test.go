package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
)

// TestReportMatchesEmulator checks the --report file of a real run, with
// 429s and transient failures, against the emulator's own counts.
func TestReportMatchesEmulator(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 6000, Seed: 5, Rate: 30, Window: 1e9,
		Faults: emulator.Faults{P503: 0.05}})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 6000, seedIDs: 6000, distinct: 5000, badEvery: 61, seed: 5})
	reportPath := filepath.Join(t.TempDir(), "report.json")
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "60/1s",
		"--report", reportPath, "--log-format", "json", ds.path)
	if res.code != exitDeadLetters {
		t.Fatalf("exit status %d\n%s", res.code, tail(res.stderr))
	}
	b, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	var r runReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	st := srv.Stats()
	wantByCode := map[string]int64{}
	for _, code := range ds.dead {
		wantByCode[code]++
	}
	got := []int64{r.Counts.Read, r.Counts.Applied, r.Counts.DeadLettered, r.Counts.Requests, r.Counts.RateLimited,
		r.Counts.Retries, int64(r.ExitStatus)}
	want := []int64{int64(ds.rows), int64(st.RecordsApplied), int64(len(ds.dead)), int64(st.BatchRequests),
		int64(st.ByStatus[429]), int64(st.ByStatus[503]), exitDeadLetters}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read, applied, dead, requests, 429s, retries, status: report vs emulator (-emulator +report):\n%s", diff)
	}
	if diff := cmp.Diff(wantByCode, r.Counts.DeadByCode); diff != "" {
		t.Errorf("dead letters by code (-want +report):\n%s", diff)
	}
	if r.Checkpoint != ds.path+".checkpoint.json" || r.Settings.Rate != "60/1s" || r.JobTotals == nil {
		t.Errorf("report paths or settings wrong: %+v", r)
	}
	t.Logf("%d requests, %d answered 429, %d answered 503, %.0f records/s", st.BatchRequests, st.ByStatus[429], st.ByStatus[503], r.RecordsPerSec)
}
