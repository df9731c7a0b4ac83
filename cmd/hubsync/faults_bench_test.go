package main

import (
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hubsync/hubsync/emulator"
)

// faultsRun syncs rows rows (one bad row in 97: malformed, without an id,
// or naming a record that does not exist; the others update records drawn
// from distinct ones, or each its own record when distinct is 0) at --rate 20/1s against an
// emulator that allows 10 requests per rolling second and answers 5% of
// batches 500, drops 2% of connections and delays 1% of answers by 2 s: the
// emulator flags --rate 10 --window 1s --fault-500 0.05 --fault-drop 0.02
// --fault-slow 0.01 --slow-delay 2s. It checks that the final state is
// exact and that every bad row is dead-lettered exactly once, and returns
// the share of the allowance used over the whole run (the binary's wall
// time), the 429s, and the 429s later than one window after the first
// batch request.
func faultsRun(tb testing.TB, rows, distinct int) (allowance float64, all429, late429 int) {
	core, logs := observer.New(zap.DebugLevel)
	srv, url := startEmulatorTB(tb, emulator.Config{Token: testToken, SeedIDs: int64(rows), Rate: 10, Window: time.Second,
		Seed: 15, Log: zap.New(core), Faults: emulator.Faults{P500: 0.05, PDrop: 0.02, PSlow: 0.01, SlowDelay: 2 * time.Second}})
	ds := generate(tb, tb.TempDir(), "calls.csv", genOptions{rows: rows, seedIDs: rows, distinct: distinct, unique: distinct == 0, badEvery: 97, seed: 15})
	res := runHubsync(tb, "sync", "--base-url", url, "--object", "communications", "--rate", "20/1s", "--log-format", "json", ds.path)
	if res.code != exitDeadLetters {
		tb.Fatalf("exit status %d, want %d\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}

	for id, want := range ds.want {
		got, _ := srv.Record("communications", id)
		for _, name := range genProps {
			if got[name] != want[name] {
				tb.Fatalf("record %s: %s = %q, want %q", id, name, got[name], want[name])
			}
		}
	}
	if got := len(srv.Records("communications")); got != len(ds.want) {
		tb.Errorf("%d records written, want %d", got, len(ds.want))
	}
	if diff := cmp.Diff(ds.dead, deadLetterLines(tb, strings.TrimSuffix(ds.path, ".csv")+".dead-letter.csv")); diff != "" {
		tb.Errorf("dead letters, line → code (-want +got):\n%s", diff)
	}

	var first time.Time
	for _, e := range logs.FilterMessage("request").FilterField(zap.String("path", "/crm/v3/objects/communications/batch/update")).All() {
		if first.IsZero() {
			first = e.Time
		}
		if e.ContextMap()["status"] == int64(429) {
			all429++
			if e.Time.Sub(first) > time.Second {
				late429++
			}
		}
	}
	st := srv.Stats()
	admitted := st.BatchRequests - st.ByStatus[429]
	return 100 * float64(admitted) / (10 * res.elapsed.Seconds()), all429, late429
}

// deadLetterLines returns source line → error code of a CSV dead-letter
// file, failing on a line written twice.
func deadLetterLines(tb testing.TB, path string) map[int64]string {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		tb.Fatalf("read dead letters: %v", err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	got := map[int64]string{}
	for _, row := range rows[1:] {
		line, err := strconv.ParseInt(row[col["_source_line"]], 10, 64)
		if err != nil {
			tb.Fatalf("dead-letter row %v: bad _source_line", row)
		}
		if _, dup := got[line]; dup {
			tb.Errorf("dead-letter file holds line %d twice", line)
		}
		got[line] = row[col["_error_code"]]
	}
	return got
}

// BenchmarkBudgetUnderFaults measures the share of a 10 requests/s
// allowance that a sync gets while HubSpot fails 8% of requests in the
// ordinary ways (see faultsRun): requests admitted per second of the
// binary's wall time, against 10. "unique" updates every record once, as
// bench/gen writes; "repeated-ids" draws 20,000 rows from 15,000 records,
// so that about half of the batches close to each other share a record and
// must wait for each other.
func BenchmarkBudgetUnderFaults(b *testing.B) {
	for _, c := range []struct {
		name           string
		rows, distinct int
	}{
		{"unique", 50000, 0},           // about 540 requests: 55 s at the allowance
		{"repeated-ids", 20000, 15000}, // about 260 requests
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				allowance, all429, late429 := faultsRun(b, c.rows, c.distinct)
				b.ReportMetric(allowance, "%allowance")
				b.ReportMetric(float64(all429), "429s")
				b.ReportMetric(float64(late429), "late-429s")
			}
		})
	}
}
