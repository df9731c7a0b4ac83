package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/emulator"
)

// TestSyncThroughFaults runs 20,000 records against an emulator that fails
// about one request in ten in every way it can: the final state must be
// exact and the dead-letter file must hold only the truly bad records.
func TestSyncThroughFaults(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 20000, Seed: 21, Faults: emulator.Faults{
		P500: 0.025, P503: 0.025, // 5% 500/503
		PDrop:     0.02, // connection dropped, batch applied or not
		PSlow:     0.01, // answers after the client gave up
		SlowDelay: 3 * time.Second,
		PTruncate: 0.02, // applied, body cut short
	}})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 20000, seedIDs: 20000, distinct: 15000, badEvery: 101, seed: 21, multiline: true})
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "0",
		"--request-timeout", "1s", "--log-format", "json", ds.path)
	if res.code != exitDeadLetters {
		t.Fatalf("exit status %d, want %d\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}
	checkState(t, srv, ds)
	if diff := cmp.Diff(ds.dead, readDeadLetters(t, strings.TrimSuffix(ds.path, ".csv")+".dead-letter.csv")); diff != "" {
		t.Errorf("dead letters, line → code (-want +got):\n%s", diff)
	}
	st := srv.Stats()
	t.Logf("%d requests: %v by status (0 = dropped)", st.BatchRequests, st.ByStatus)
}

// TestSharedAccount runs with --rate twice what the emulator allows, as
// when other apps share the budget: nothing may be lost and 429s must stay
// few, because hubsync adopts the limit HubSpot's headers announce.
func TestSharedAccount(t *testing.T) {
	st, res := sharedRun(t, 4000)
	if n := st.ByStatus[429]; n > 4 {
		t.Errorf("%d requests answered 429, want at most 4 (those in flight before the first answer)", n)
	}
	t.Logf("%d requests, %d answered 429, %.1f requests/s against an allowance of 10/s",
		st.BatchRequests, st.ByStatus[429], float64(st.BatchRequests)/res.elapsed.Seconds())
}

// sharedRun syncs rows unique records at --rate 20/1s against an emulator
// that allows 10 requests per rolling second.
func sharedRun(tb testing.TB, rows int) (emulator.Stats, result) {
	srv, url := startEmulatorTB(tb, emulator.Config{Token: testToken, SeedIDs: int64(rows), Rate: 10, Window: time.Second})
	ds := generate(tb, tb.TempDir(), "calls.csv", genOptions{rows: rows, seedIDs: rows, unique: true, seed: 6})
	res := runHubsync(tb, "sync", "--base-url", url, "--object", "communications", "--rate", "20/1s", "--log-format", "json", ds.path)
	if res.code != exitOK {
		tb.Fatalf("exit status %d, want 0\n%s", res.code, tail(res.stderr))
	}
	st := srv.Stats()
	if st.RecordsApplied != rows {
		tb.Fatalf("emulator applied %d records, want %d", st.RecordsApplied, rows)
	}
	return st, res
}

// BenchmarkSharedAccount measures the share of the emulator's allowance (10
// requests/s) that a sync configured for twice as much gets.
func BenchmarkSharedAccount(b *testing.B) {
	for b.Loop() {
		st, res := sharedRun(b, 10000) // 100 requests: 10 s at the allowance
		b.ReportMetric(float64(st.BatchRequests)/res.elapsed.Seconds(), "requests/s")
		b.ReportMetric(100*float64(st.BatchRequests)/res.elapsed.Seconds()/10, "%allowance")
		b.ReportMetric(float64(st.ByStatus[429]), "429s")
	}
}

// TestOneBadRowInHundred checks the cost of isolating a single row that
// HubSpot rejects. --no-preflight makes hubsync send the bad value, which
// the preflight would otherwise catch locally (TestBadValuesCaughtLocally).
func TestOneBadRowInHundred(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 100})
	var sb strings.Builder
	sb.WriteString("id,hs_communication_channel_type,hs_communication_body\n")
	for i := 1; i <= 100; i++ {
		ch := "SMS"
		if i == 58 {
			ch = "CARRIER_PIGEON"
		}
		fmt.Fprintf(&sb, "%d,%s,message %d\n", i, ch, i)
	}
	path := filepath.Join(t.TempDir(), "calls.csv")
	os.WriteFile(path, []byte(sb.String()), 0o600)
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "0", "--no-preflight", path)
	if res.code != exitDeadLetters {
		t.Fatalf("exit status %d\n%s", res.code, tail(res.stderr))
	}
	if diff := cmp.Diff(map[int64]string{59: "INVALID_OPTION"}, readDeadLetters(t, strings.TrimSuffix(path, ".csv")+".dead-letter.csv")); diff != "" {
		t.Errorf("dead letters (-want +got):\n%s", diff)
	}
	extra := srv.Stats().BatchRequests - 1
	t.Logf("1 bad row in 100: %d extra requests (bound 2*log2(100)+1 = 14.3)", extra)
	if extra < 1 || extra > 14 {
		t.Errorf("%d extra requests, want at most 14", extra)
	}
	if got := len(srv.Records("communications")); got != 99 {
		t.Errorf("%d records written, want 99", got)
	}
}

// TestUnauthorizedMidRun revokes the token while a sync runs: it must stop
// quickly with status 1, say what to do, and leave a valid checkpoint.
func TestUnauthorizedMidRun(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 20000, Faults: emulator.Faults{PSlow: 1, SlowDelay: 20 * time.Millisecond}})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 20000, seedIDs: 20000, unique: true, seed: 7})
	cmd, errb := startSync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "0", "--log-format", "json", ds.path)
	waitFor(t, 30*time.Second, "20 requests", func() bool { return srv.Stats().BatchRequests >= 20 })
	srv.SetToken("another-token")
	revoked := time.Now()
	status := exitStatus(cmd.Wait())
	if status != exitFatal {
		t.Fatalf("exit status %d, want %d\n%s", status, exitFatal, tail(errb.String()))
	}
	if d := time.Since(revoked); d > 5*time.Second {
		t.Errorf("took %v to stop after the token was revoked", d)
	}
	if !strings.Contains(errb.String(), "HUBSPOT_ACCESS_TOKEN") {
		t.Errorf("stderr does not say what to check:\n%s", tail(errb.String()))
	}
	st, err := checkpoint.Load(ds.path + ".checkpoint.json")
	if err != nil || st.Complete || st.Counts.Applied == 0 {
		t.Fatalf("checkpoint after 401: %+v, %v; want a valid partial one", st, err)
	}
	if n := srv.Stats().ByStatus[401]; n > 4 {
		t.Errorf("%d requests answered 401, want at most one per worker", n)
	}
}

// TestDailyLimit runs into the emulator's daily quota: status 4, resumable,
// with the reset time.
func TestDailyLimit(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 10000, Daily: 31}) // the preflight's GET and 30 batches
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 10000, seedIDs: 10000, unique: true, seed: 8})
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "0", ds.path)
	if res.code != exitResumable {
		t.Fatalf("exit status %d, want %d\n%s", res.code, exitResumable, tail(res.stderr))
	}
	for _, want := range []string{"daily API limit", "resets at midnight", "Run the same command again"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, tail(res.stderr))
		}
	}
	st, err := checkpoint.Load(ds.path + ".checkpoint.json")
	if err != nil || st.Complete || st.Counts.Applied != 3000 {
		t.Errorf("checkpoint: %+v, %v; want 3000 applied, not complete", st.Counts, err)
	}
}

// TestDailyReserve stops before the quota runs out, leaving a reserve.
func TestDailyReserve(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 10000, Daily: 101}) // the preflight's GET and 100 batches
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 10000, seedIDs: 10000, unique: true, seed: 8})
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "0",
		"--workers", "1", "--daily-reserve", "75", ds.path)
	if res.code != exitResumable || !strings.Contains(res.stderr, "daily reserve reached") {
		t.Fatalf("exit status %d, want %d and the reason\n%s", res.code, exitResumable, tail(res.stderr))
	}
	st, err := checkpoint.Load(ds.path + ".checkpoint.json")
	if err != nil || st.Counts.Requests != 25 {
		t.Errorf("checkpoint: %+v, %v; want 25 requests (100 a day less 75 kept)", st.Counts, err)
	}
}

// TestMissingScope uses a token without the write scope: status 1 at once,
// naming the scope.
func TestMissingScope(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 100, ScopelessToken: "pat-read-only"})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 100, seedIDs: 100, unique: true, seed: 9})
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("pat-read-only\n"), 0o600)
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--token-file", tokenFile, ds.path)
	if res.code != exitFatal || !strings.Contains(res.stderr, "crm.objects.contacts.write") {
		t.Fatalf("exit status %d, want %d and the scope named\n%s", res.code, exitFatal, tail(res.stderr))
	}
	if strings.Contains(res.stderr, "pat-read-only") {
		t.Error("the token appears in stderr")
	}
	if n := srv.Stats().BatchRequests; n > 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestPreflightWaitsOutA429 starts a sync while another app has filled the
// rolling window: the preflight request is answered 429 and must be waited
// out, not end the run.
func TestPreflightWaitsOutA429(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 1000, Rate: 5, Window: 2 * time.Second})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 300, seedIDs: 1000, unique: true, seed: 1})
	// The other app: five requests fill the window.
	for range 5 {
		runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--no-preflight", "--restart", "--rate", "0",
			"--batch-size", "100", writeInput(t, "other.csv", "id,hs_communication_body\n1,x\n"))
	}
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "5/2s", ds.path)
	if res.code != exitOK {
		t.Fatalf("exit status %d, want 0\n%s", res.code, tail(res.stderr))
	}
	st := srv.Stats()
	if st.RecordsApplied != 5+300 {
		t.Errorf("%d records applied, want 305", st.RecordsApplied)
	}
	if gets := st.Requests - st.BatchRequests; gets < 2 {
		t.Errorf("%d properties requests: the window was not full when the preflight ran, the test proves nothing", gets)
	}
}
