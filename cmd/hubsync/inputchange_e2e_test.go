package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/emulator"
)

// writeBodies writes a CSV of rows records, row i setting record i+1's
// body to prefix-(i+1). Two files with prefixes of one length have the
// same size, and each row sits at the same offset in both.
func writeBodies(t *testing.T, path, prefix string, rows int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,hs_communication_body\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&b, "%d,%s-%d\n", i, prefix, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestInputRewrittenMidRun rewrites a large input in place, at the same
// size and with other values, while a slow sync reads it: no record may
// get a value that neither file holds at its id (a row stitched from the
// old file's bytes and the new one's), and since nothing read after the
// change is parsed, every record sent holds the old file's value. The run
// stops with status 4, saying to rerun once the export has finished; the
// rerun refuses the new file over the unfinished job by default, and
// --on-new-input restart sends it whole.
func TestInputRewrittenMidRun(t *testing.T) {
	const rows = 200000
	srv, url := startEmulator(t, emulator.Config{SeedIDs: rows, Faults: emulator.Faults{PSlow: 1, SlowDelay: 5 * time.Millisecond}})
	dir := t.TempDir()
	in := filepath.Join(dir, "calls.csv")
	writeBodies(t, in, "OLD", rows)
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--workers", "1", "--no-preflight", in}
	cmd, errb := startSync(t, args...)
	waitFor(t, 30*time.Second, "20 requests", func() bool { return srv.Stats().BatchRequests >= 20 })
	writeBodies(t, in, "NEW", rows)
	status := exitStatus(cmd.Wait())
	got := srv.Records("communications")
	if len(got) == 0 {
		t.Fatal("no record written")
	}
	var stitched []string
	fromNew := 0
	for id, props := range got {
		switch body := props["hs_communication_body"]; body {
		case "OLD-" + id:
		case "NEW-" + id:
			fromNew++
		default:
			stitched = append(stitched, id+": "+body)
		}
	}
	if len(stitched) > 0 {
		t.Errorf("%d records hold a value that neither file holds at their id: %q", len(stitched), stitched[:min(len(stitched), 5)])
	}
	if fromNew > 0 {
		t.Errorf("%d records hold the new file's value: rows read after the input changed were sent", fromNew)
	}
	if len(got) == rows {
		t.Error("every record was written: the run did not stop at the change")
	}
	if status != exitResumable {
		t.Fatalf("exit status %d, want %d\n%s", status, exitResumable, tail(errb.String()))
	}
	for _, want := range []string{"the input changed while it was read", "rerun once the export has finished", "--on-new-input restart"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr does not say %q\n%s", want, tail(errb.String()))
		}
	}
	if strings.Contains(errb.String(), "it resumes from the checkpoint") {
		t.Errorf("the summary promises a resume, which a changed input cannot have:\n%s", tail(errb.String()))
	}
	st, err := checkpoint.Load(in + ".checkpoint.json")
	if err != nil {
		t.Fatal(err)
	}
	if st.Complete {
		t.Error("the checkpoint says the job over the old file is complete")
	}

	if res := runHubsync(t, args...); res.code != exitUsage || !strings.Contains(res.stderr, "unfinished") {
		t.Fatalf("rerun: exit status %d, want %d refusing the new file over the unfinished job\n%s", res.code, exitUsage, tail(res.stderr))
	}
	restart := append(append([]string{"sync", "--on-new-input", "restart"}, args[1:len(args)-1]...), "--workers", "4", in)
	if res := runHubsync(t, restart...); res.code != exitOK {
		t.Fatalf("rerun with --on-new-input restart: exit status %d\n%s", res.code, tail(res.stderr))
	}
	for _, id := range []int{1, rows / 2, rows} {
		if props, _ := srv.Record("communications", strconv.Itoa(id)); props["hs_communication_body"] != "NEW-"+strconv.Itoa(id) {
			t.Errorf("after the restart, record %d holds %q", id, props["hs_communication_body"])
		}
	}
}

// TestInputAppendedAfterRead appends to the input after the run has read
// it to its fingerprinted size, while batches are still in flight: the
// run must not exit 0 (the appended records were never read) but 4, with
// the job saved as finished, so that the rerun takes the grown file as a
// new job and sends every record.
func TestInputAppendedAfterRead(t *testing.T) {
	const rows = 300
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 1000, Faults: emulator.Faults{PSlow: 1, SlowDelay: 100 * time.Millisecond}})
	dir := t.TempDir()
	in := filepath.Join(dir, "calls.csv")
	writeBodies(t, in, "OLD", rows)
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--workers", "1", "--no-preflight", in}
	cmd, errb := startSync(t, args...)
	waitFor(t, 30*time.Second, "the first request", func() bool { return srv.Stats().BatchRequests >= 1 })
	f, err := os.OpenFile(in, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("301,OLD-301\n302,OLD-302\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	status := exitStatus(cmd.Wait())
	if status != exitResumable {
		t.Fatalf("exit status %d, want %d\n%s", status, exitResumable, tail(errb.String()))
	}
	for _, want := range []string{"the input changed while it was read", "records past byte", "rerun the same command once the export has finished"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr does not say %q\n%s", want, tail(errb.String()))
		}
	}
	if strings.Contains(errb.String(), "it resumes from the checkpoint") {
		t.Errorf("the summary promises a resume, which a changed input cannot have:\n%s", tail(errb.String()))
	}
	if got := len(srv.Records("communications")); got != rows {
		t.Errorf("%d records written, want the %d the file held at the start", got, rows)
	}
	st, err := checkpoint.Load(in + ".checkpoint.json")
	if err != nil {
		t.Fatal(err)
	}
	if !st.Complete {
		t.Error("the job is not saved as finished")
	}
	if res := runHubsync(t, args...); res.code != exitOK {
		t.Fatalf("rerun: exit status %d, want %d\n%s", res.code, exitOK, tail(res.stderr))
	}
	if props, _ := srv.Record("communications", "302"); props["hs_communication_body"] != "OLD-302" {
		t.Errorf("after the rerun, record 302 holds %q", props["hs_communication_body"])
	}
}
