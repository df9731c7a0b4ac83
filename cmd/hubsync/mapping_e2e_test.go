package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
)

// humanCSV is an export with human column names and formats, for
// configs/migration-with-mapping.yaml.
const humanCSV = `HubSpot ID,Message,Channel,Sent At,Priority,Follow Up,Mood,Topics,Messages,Internal Notes
1, Thanks for the call ,WhatsApp,03/10/2024 09:30,Yes,02/29/2024,Positive,"Billing, Sales","1,204",not for HubSpot
2,Invoice sent,sms,11/03/2024 01:30,no,12/31/2024,negative,Support,7,
3,Order shipped,LinkedIn,2024-06-01T12:00:00Z,1,,Neutral,"feedback,BILLING",0,x
`

func writeInput(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMappingHumanFormats applies a CSV with human column names and formats
// through the example migration config and checks HubSpot's exact values.
func TestMappingHumanFormats(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	path := writeInput(t, "legacy.csv", humanCSV)
	res := runHubsync(t, "sync", "--config", "../../configs/migration-with-mapping.yaml", "--base-url", url, path)
	if res.code != exitOK {
		t.Fatalf("exit status %d\n%s", res.code, tail(res.stderr))
	}
	want := map[string]map[string]string{
		"1": {"hs_communication_body": "Thanks for the call", "hs_communication_channel_type": "WHATS_APP",
			"hs_timestamp": "2024-03-10T13:30:00.000Z", // 09:30 in New York, the day DST began (UTC-4)
			"is_priority":  "true", "follow_up_date": "2024-02-29", "sentiment": "pos", "topics": "BILLING;SALES",
			"message_count": "1204", "hs_communication_logged_from": "CRM"},
		"2": {"hs_communication_body": "Invoice sent", "hs_communication_channel_type": "SMS",
			"hs_timestamp": "2024-11-03T05:30:00.000Z", // 01:30 happens twice that night: the first, on summer time
			"is_priority":  "false", "follow_up_date": "2024-12-31", "sentiment": "neg", "topics": "SUPPORT",
			"message_count": "7", "hs_communication_logged_from": "CRM"},
		"3": {"hs_communication_body": "Order shipped", "hs_communication_channel_type": "LINKEDIN_MESSAGE",
			"hs_timestamp": "2024-06-01T12:00:00.000Z", "is_priority": "true", "follow_up_date": "",
			"sentiment": "neu", "topics": "FEEDBACK;BILLING", "message_count": "0", "hs_communication_logged_from": "CRM"},
	}
	for id, props := range want {
		got, ok := srv.Record("communications", id)
		if !ok {
			t.Errorf("record %s not written", id)
			continue
		}
		for k := range got {
			if _, keep := props[k]; !keep {
				delete(got, k) // system properties
			}
		}
		if props["follow_up_date"] == "" {
			delete(props, "follow_up_date") // cleared: stored records lack cleared properties
		}
		if diff := cmp.Diff(props, got); diff != "" {
			t.Errorf("record %s (-want +got):\n%s", id, diff)
		}
	}
}

// TestPreflightRefuses checks that an unknown column and a read-only one
// stop the run before any batch request, naming both.
func TestPreflightRefuses(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	path := writeInput(t, "calls.csv", "id,hs_comunication_body,hs_createdate\n1,hello,2024-01-01T00:00:00Z\n")
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", path)
	if res.code != exitUsage {
		t.Fatalf("exit status %d, want %d\n%s", res.code, exitUsage, res.stderr)
	}
	for _, want := range []string{"hs_comunication_body", "hs_communication_body", "hs_createdate", "read-only", "nothing was sent"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	if n := srv.Stats().BatchRequests; n != 0 {
		t.Errorf("%d batch requests, want 0", n)
	}
}

// TestBadValuesCaughtLocally checks that values that would not validate go
// to the dead-letter file without a request for them.
func TestBadValuesCaughtLocally(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	path := writeInput(t, "calls.csv", `id,is_priority,follow_up_date,sentiment,message_count
1,true,2024-02-29,pos,3
2,maybe,2024-01-01,pos,3
3,false,2023-02-29,neu,4
4,false,2024-05-05,grumpy,5
5,true,2024-05-06,neg,12abc
6,false,2024-05-07,neg,6
`)
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "0", path)
	if res.code != exitDeadLetters {
		t.Fatalf("exit status %d\n%s", res.code, tail(res.stderr))
	}
	want := map[int64]string{3: "INVALID_BOOLEAN", 4: "INVALID_DATE", 5: "INVALID_OPTION", 6: "INVALID_NUMBER"}
	if diff := cmp.Diff(want, readDeadLetters(t, strings.TrimSuffix(path, ".csv")+".dead-letter.csv")); diff != "" {
		t.Errorf("dead letters, line → code (-want +got):\n%s", diff)
	}
	st := srv.Stats()
	if st.BatchRequests != 1 || st.ByStatus[400] != 0 || st.RecordsApplied != 2 {
		t.Errorf("%d batch requests (%v), %d applied; want 1 request with the 2 good records", st.BatchRequests, st.ByStatus, st.RecordsApplied)
	}
}

// TestDryRun sends no batch request and prints the plan.
func TestDryRun(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 5000})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 5000, seedIDs: 5000, distinct: 5000, badEvery: 50, seed: 4})
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "100/10s", "--dry-run", ds.path)
	if res.code != exitDeadLetters {
		t.Fatalf("exit status %d, want %d (some records would fail)\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}
	if n := srv.Stats().BatchRequests; n != 0 {
		t.Errorf("dry run made %d batch requests", n)
	}
	for _, want := range []string{"nothing was sent", "this run:     5,000 records in", "would fail", "requests of up to 100 records", "at --rate 100/10s"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("dry-run output lacks %q:\n%s", want, tail(res.stderr))
		}
	}
	if _, err := os.Stat(ds.path + ".checkpoint.json"); err == nil {
		t.Error("a dry run left a checkpoint")
	}
	// Records the real run would send that fail at HubSpot (ids that do
	// not exist) cannot be known locally; the rest are in the dry-run file.
	got := readDeadLetters(t, strings.TrimSuffix(ds.path, ".csv")+".dry-run.dead-letter.csv")
	for line, code := range ds.dead {
		if code != "OBJECT_NOT_FOUND" && got[line] != code {
			t.Errorf("line %d: dry run says %q, want %q", line, got[line], code)
		}
	}
}

// TestNoPreflight sends values as they are: no properties request, empty
// cells still follow --empty, and a mapping is refused.
func TestNoPreflight(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	path := writeInput(t, "calls.csv", "id,hs_communication_body,message_count\n1,first,\n1,,7\n")
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--no-preflight", path)
	if res.code != exitOK {
		t.Fatalf("exit status %d\n%s", res.code, tail(res.stderr))
	}
	got, _ := srv.Record("communications", "1")
	if got["hs_communication_body"] != "first" || got["message_count"] != "7" {
		t.Errorf("record 1 = %v; want the empty cells skipped", got)
	}
	if n := srv.Stats().Requests - srv.Stats().BatchRequests; n != 0 {
		t.Errorf("%d requests besides batch updates, want none", n)
	}
	res = runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--no-preflight", "--restart", "--map", "a=b", path)
	if res.code != exitUsage || !strings.Contains(res.stderr, "--no-preflight") {
		t.Errorf("--no-preflight with --map: status %d, want %d with a reason\n%s", res.code, exitUsage, res.stderr)
	}
}
