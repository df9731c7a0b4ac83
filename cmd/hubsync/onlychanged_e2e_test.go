package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubsync/hubsync/emulator"
)

// nightly is a nightly export of communications for the --only-changed
// tests: one row a record, ids 1..len(rows), and what a correct sync
// leaves in HubSpot.
type nightly struct {
	rows []nightlyRow
}

type nightlyRow struct {
	body, channel, count string
}

// newNightly returns n rows, all valid.
func newNightly(n int) *nightly {
	channels := []string{"WHATS_APP", "LINKEDIN_MESSAGE", "SMS"}
	nt := &nightly{rows: make([]nightlyRow, n)}
	for i := range nt.rows {
		nt.rows[i] = nightlyRow{body: fmt.Sprintf("message %d", i+1), channel: channels[i%3], count: strconv.Itoa(i % 1000)}
	}
	return nt
}

// clone returns a copy of nt to change.
func (nt *nightly) clone() *nightly {
	return &nightly{rows: append([]nightlyRow(nil), nt.rows...)}
}

// invalidChannel is a value HubSpot refuses for the channel type.
const invalidChannel = "CARRIER_PIGEON"

// write writes nt as a CSV file at path.
func (nt *nightly) write(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"id", "hs_communication_body", "hs_communication_channel_type", "message_count"})
	for i, r := range nt.rows {
		w.Write([]string{strconv.Itoa(i + 1), r.body, r.channel, r.count})
	}
	w.Flush()
	if err := firstErr(w.Error(), f.Close()); err != nil {
		t.Fatal(err)
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkNightly compares the emulator's records with want, row by row.
func checkNightly(t *testing.T, srv *emulator.Server, want *nightly) {
	t.Helper()
	bad := 0
	for i, r := range want.rows {
		id := strconv.Itoa(i + 1)
		got, _ := srv.Record("communications", id)
		if got["hs_communication_body"] != r.body || got["hs_communication_channel_type"] != r.channel || got["message_count"] != r.count {
			t.Errorf("record %s = %v, want body %q channel %q count %q", id, got, r.body, r.channel, r.count)
			if bad++; bad > 10 {
				t.Fatal("too many differences")
			}
		}
	}
}

// onlyChangedRun runs a sync with --only-changed and returns how it ended
// and the batch requests and records applied it cost the emulator.
type onlyChangedRun struct {
	res              result
	requests, apply  int
	unchanged, notIn int64
}

func runOnlyChanged(t *testing.T, srv *emulator.Server, args ...string) onlyChangedRun {
	t.Helper()
	before := srv.Stats()
	report := filepath.Join(t.TempDir(), "report.json")
	res := runHubsync(t, append(append([]string{}, args[:len(args)-1]...), "--report", report, args[len(args)-1])...)
	after := srv.Stats()
	run := onlyChangedRun{res: res, requests: after.BatchRequests - before.BatchRequests, apply: after.RecordsApplied - before.RecordsApplied}
	var r struct {
		Counts struct {
			Unchanged *int64 `json:"unchanged"`
			NotInFile *int64 `json:"not_in_file"`
		} `json:"counts"`
	}
	if data, err := os.ReadFile(report); err == nil && json.Unmarshal(data, &r) == nil && r.Counts.Unchanged != nil {
		run.unchanged = *r.Counts.Unchanged
		if r.Counts.NotInFile != nil {
			run.notIn = *r.Counts.NotInFile
		}
	}
	return run
}

// renew gives path a later modification time, as tonight's export of the
// same rows would: the checkpoint takes it as a new input, a new job.
func renew(t *testing.T, path string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

// TestOnlyChangedNightly is the nightly load: a full first run,
// an unchanged night that sends nothing, a night with 1% changed and
// 0.1% invalid rows that sends only those, and a night after fixing the
// invalid rows that sends exactly those.
func TestOnlyChangedNightly(t *testing.T) {
	const rows = 100_000
	srv, url := startEmulator(t, emulator.Config{SeedIDs: rows, Seed: 18})
	dir := t.TempDir()
	path := filepath.Join(dir, "calls.csv")
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--log-format", "json",
		"--only-changed", "--state-dir", filepath.Join(dir, "state"), path}

	night1 := newNightly(rows)
	night1.write(t, path)
	r1 := runOnlyChanged(t, srv, args...)
	if r1.res.code != exitOK || r1.requests != rows/100 || r1.unchanged != 0 {
		t.Fatalf("run 1: exit %d, %d requests, %d unchanged; want 0, %d, 0\n%s", r1.res.code, r1.requests, r1.unchanged, rows/100, tail(r1.res.stderr))
	}

	renew(t, path, time.Now().Add(time.Hour))
	r2 := runOnlyChanged(t, srv, args...)
	if r2.res.code != exitOK || r2.requests != 0 || r2.unchanged != rows {
		t.Fatalf("run 2 (unchanged): exit %d, %d requests, %d unchanged; want 0, 0, %d\n%s", r2.res.code, r2.requests, r2.unchanged, rows, tail(r2.res.stderr))
	}
	if st := runHubsync(t, "status", path+".checkpoint.json"); !strings.Contains(st.stdout, "0 applied, 100000 unchanged, 0 dead-lettered") {
		t.Errorf("status after the unchanged run does not count them:\n%s%s", st.stdout, st.stderr)
	}

	// 1% of the rows changed, 0.1% became invalid, at random places.
	night3 := night1.clone()
	want3 := night1.clone()
	rng := rand.New(rand.NewPCG(18, 3))
	changed, invalid := map[int]bool{}, map[int]bool{}
	for len(changed) < rows/100 {
		changed[rng.IntN(rows)] = true
	}
	for len(invalid) < rows/1000 {
		if i := rng.IntN(rows); !changed[i] {
			invalid[i] = true
		}
	}
	for i := range changed {
		night3.rows[i].body += " (edited)"
		want3.rows[i] = night3.rows[i]
	}
	for i := range invalid {
		night3.rows[i].channel = invalidChannel
	}
	night3.write(t, path)
	renew(t, path, time.Now().Add(2*time.Hour))
	dry := runOnlyChanged(t, srv, append(append([]string{}, args[:len(args)-1]...), "--dry-run", path)...)
	if wantLine := "would send 1,000 records in 10 requests; 98,900 unchanged"; dry.requests != 0 || !strings.Contains(dry.res.stderr, wantLine) {
		t.Errorf("dry run: %d requests, want 0 and a summary saying %q:\n%s", dry.requests, wantLine, tail(dry.res.stderr))
	}
	r3 := runOnlyChanged(t, srv, args...)
	maxRequests := (len(changed)+99)/100 + len(invalid)*2 // at most two splits to isolate each invalid row, if HubSpot sees them
	if r3.res.code != exitDeadLetters || r3.apply != len(changed) || r3.requests > maxRequests || r3.unchanged != int64(rows-len(changed)-len(invalid)) || r3.notIn != 0 {
		t.Fatalf("run 3 (1%% changed, 0.1%% invalid): exit %d, %d applied in %d requests, %d unchanged, %d not in the file; want %d, %d in at most %d, %d, 0\n%s",
			r3.res.code, r3.apply, r3.requests, r3.unchanged, r3.notIn, exitDeadLetters, len(changed), maxRequests, rows-len(changed)-len(invalid), tail(r3.res.stderr))
	}
	checkNightly(t, srv, want3)

	// The invalid rows fixed, with values of their own.
	night4 := night3.clone()
	for i := range invalid {
		night4.rows[i].channel = "SMS"
		night4.rows[i].body += " (fixed)"
	}
	night4.write(t, path)
	renew(t, path, time.Now().Add(3*time.Hour))
	r4 := runOnlyChanged(t, srv, args...)
	if r4.res.code != exitOK || r4.apply != len(invalid) || r4.requests != (len(invalid)+99)/100 {
		t.Fatalf("run 4 (fixed): exit %d, %d applied in %d requests; want 0, %d in %d\n%s",
			r4.res.code, r4.apply, r4.requests, len(invalid), (len(invalid)+99)/100, tail(r4.res.stderr))
	}
	checkNightly(t, srv, night4)
	t.Logf("requests per run: %d (all %d rows), %d (unchanged), %d (%d changed, %d invalid; %d split requests), %d (%d fixed)",
		r1.requests, rows, r2.requests, r3.requests, len(changed), len(invalid), r3.requests-(len(changed)+99)/100, r4.requests, len(invalid))
}

// TestOnlyChangedTargets: dated files of one feed share a state; a changed
// mapping makes another, and says so; two runs on one target at once are
// refused.
func TestOnlyChangedTargets(t *testing.T) {
	const rows = 1000
	srv, url := startEmulator(t, emulator.Config{SeedIDs: rows, Seed: 19, PortalID: 12345678})
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	args := func(file string, more ...string) []string {
		return append(append([]string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--log-format", "json",
			"--only-changed", "--state-dir", state}, more...), filepath.Join(dir, file))
	}
	nt := newNightly(rows)
	nt.write(t, filepath.Join(dir, "calls-2026-12-01.csv"))
	nt.write(t, filepath.Join(dir, "calls-2026-12-02.csv"))

	if r := runOnlyChanged(t, srv, args("calls-2026-12-01.csv")...); r.res.code != exitOK || r.requests != rows/100 {
		t.Fatalf("first dated file: exit %d, %d requests; want 0, %d\n%s", r.res.code, r.requests, rows/100, tail(r.res.stderr))
	}
	r := runOnlyChanged(t, srv, args("calls-2026-12-02.csv")...)
	if r.res.code != exitOK || r.requests != 0 || r.unchanged != rows {
		t.Fatalf("next dated file, same rows: exit %d, %d requests, %d unchanged; want 0, 0, %d\n%s", r.res.code, r.requests, r.unchanged, rows, tail(r.res.stderr))
	}
	if strings.Contains(r.res.stderr, "the settings changed") {
		t.Errorf("same settings, yet the run says they changed:\n%s", tail(r.res.stderr))
	}
	if r.notIn != 0 {
		t.Errorf("next dated file, same rows: %d records not in the file, want 0", r.notIn)
	}

	// A file without its last 100 rows: they are counted, not deleted.
	partial := &nightly{rows: nt.rows[:rows-100]}
	partial.write(t, filepath.Join(dir, "calls-2026-12-02-partial.csv"))
	r = runOnlyChanged(t, srv, args("calls-2026-12-02-partial.csv")...)
	if r.res.code != exitOK || r.requests != 0 || r.notIn != 100 || !strings.Contains(r.res.stderr, "not in file:  100 records of the sync state") {
		t.Fatalf("a file of fewer rows: exit %d, %d requests, %d not in the file; want 0, 0, 100\n%s", r.res.code, r.requests, r.notIn, tail(r.res.stderr))
	}

	// Hand edits in HubSpot: --full-resync sends everything once, and
	// --refresh-every 4 a rotating quarter of the unchanged records.
	nt.write(t, filepath.Join(dir, "calls-2026-12-05.csv"))
	if r := runOnlyChanged(t, srv, args("calls-2026-12-05.csv", "--full-resync")...); r.res.code != exitOK || r.apply != rows || r.requests != rows/100 {
		t.Fatalf("--full-resync: exit %d, %d applied in %d requests; want 0, %d in %d\n%s", r.res.code, r.apply, r.requests, rows, rows/100, tail(r.res.stderr))
	}
	nt.write(t, filepath.Join(dir, "calls-2026-12-06.csv"))
	r = runOnlyChanged(t, srv, args("calls-2026-12-06.csv", "--refresh-every", "4")...)
	if r.res.code != exitOK || r.apply < rows/8 || r.apply > rows*3/8 || int64(r.apply)+r.unchanged != rows {
		t.Fatalf("--refresh-every 4: exit %d, %d applied, %d unchanged; want about a quarter applied, the rest unchanged\n%s", r.res.code, r.apply, r.unchanged, tail(r.res.stderr))
	}

	nt.write(t, filepath.Join(dir, "calls-2026-12-03.csv"))
	r = runOnlyChanged(t, srv, args("calls-2026-12-03.csv", "--drop", "message_count")...)
	if r.res.code != exitOK || r.requests != rows/100 {
		t.Fatalf("changed mapping: exit %d, %d requests; want 0, %d (everything)\n%s", r.res.code, r.requests, rows/100, tail(r.res.stderr))
	}
	if n := strings.Count(r.res.stderr, "the old state does not apply: sending every record"); n != 1 {
		t.Errorf("changed mapping: %d log lines say the old state does not apply, want 1:\n%s", n, tail(r.res.stderr))
	}

	out := runHubsync(t, "state", "list", "--state-dir", state)
	if out.code != exitOK || strings.Count(out.stdout, "12345678-communications-id-") != 2 {
		t.Fatalf("state list: exit %d, want the two targets:\n%s%s", out.code, out.stdout, out.stderr)
	}
	id := strings.Fields(strings.Split(out.stdout, "\n")[2])[0]
	if out := runHubsync(t, "state", "reset", "--state-dir", state, id); out.code != exitOK {
		t.Fatalf("state reset %s: exit %d\n%s", id, out.code, out.stderr)
	}
	if out := runHubsync(t, "state", "list", "--state-dir", state); strings.Contains(out.stdout, id) {
		t.Errorf("state list after the reset of %s:\n%s", id, out.stdout)
	}
	if out := runHubsync(t, "state", "reset", "--state-dir", state, "no-such-target"); out.code != exitUsage {
		t.Errorf("state reset of an unknown target: exit %d, want %d", out.code, exitUsage)
	}
}

// TestOnlyChangedCrash kills runs with changed rows at least ten times on
// observed progress, resuming each time, and checks that HubSpot ends
// exact and that the state holds every confirmed record: one more run of
// the same rows sends nothing. Meanwhile a second run on the same target
// is refused.
func TestOnlyChangedCrash(t *testing.T) {
	const rows = 30_000
	// Every answer takes 40 ms, so four batches are always in flight and a
	// kill lands on applied but unanswered ones.
	srv, url := startEmulator(t, emulator.Config{SeedIDs: rows, Seed: 20,
		Faults: emulator.Faults{PSlow: 1, SlowDelay: 40 * time.Millisecond}})
	dir := t.TempDir()
	path := filepath.Join(dir, "calls.csv")
	state := filepath.Join(dir, "state")
	syncArgs := func(file string) []string {
		return []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--workers", "4",
			"--log-format", "json", "--progress", "never", "--only-changed", "--state-dir", state, file}
	}
	night1 := newNightly(rows)
	night1.write(t, path)
	if r := runOnlyChanged(t, srv, syncArgs(path)...); r.res.code != exitOK {
		t.Fatalf("first run: exit %d\n%s", r.res.code, tail(r.res.stderr))
	}

	// Two rows in three changed.
	night2 := night1.clone()
	for i := range night2.rows {
		if i%3 != 0 {
			night2.rows[i].body += " (edited)"
		}
	}
	night2.write(t, path)
	renew(t, path, time.Now().Add(time.Hour))
	other := filepath.Join(dir, "calls-copy.csv")
	night2.write(t, other)

	rng := rand.New(rand.NewPCG(20, 20))
	kills := 0
	for ; kills < 12; kills++ {
		need := srv.Stats().RecordsApplied + 500 + rng.IntN(1000)
		cmd, errb := startSync(t, syncArgs(path)...)
		if kills == 0 {
			waitFor(t, 30*time.Second, "the first records of the run to apply", func() bool { return srv.Stats().RecordsApplied >= rows+100 })
			second := runHubsync(t, syncArgs(other)...)
			if second.code != exitUsage || !strings.Contains(second.stderr, "another --only-changed run on the same target") {
				t.Errorf("second run on the target: exit %d, want %d with a clear message:\n%s", second.code, exitUsage, tail(second.stderr))
			}
		}
		status := killWhenApplied(t, cmd, srv, need, 30*time.Second)
		if status != -int(syscall.SIGKILL) {
			if kills < 10 {
				t.Fatalf("run %d ended by itself (status %d) before 10 kills; stderr:\n%s", kills+1, status, tail(errb.String()))
			}
			break
		}
	}
	r := runOnlyChanged(t, srv, syncArgs(path)...)
	if r.res.code != exitOK {
		t.Fatalf("final resume: exit %d\n%s", r.res.code, tail(r.res.stderr))
	}
	checkNightly(t, srv, night2)
	changed := rows * 2 / 3
	t.Logf("kills %d; records applied for %d changed: %d", kills, changed, srv.Stats().RecordsApplied-rows)

	renew(t, path, time.Now().Add(2*time.Hour))
	r = runOnlyChanged(t, srv, syncArgs(path)...)
	if r.res.code != exitOK || r.requests != 0 || r.unchanged != rows {
		t.Fatalf("run after the crashes: exit %d, %d requests, %d unchanged; want 0, 0, %d\n%s", r.res.code, r.requests, r.unchanged, rows, tail(r.res.stderr))
	}
}

// TestOnlyChangedNoStateDir: a run that has no state dir (no --state-dir,
// no $XDG_STATE_HOME, no home directory) refuses before it asks anything
// of HubSpot.
func TestOnlyChangedNoStateDir(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 10, seedIDs: 10, distinct: 10, seed: 1})
	cmd := exec.Command(hubsyncBin, "sync", "--base-url", url, "--object", "communications", "--only-changed", ds.path)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_STATE_HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HUBSPOT_ACCESS_TOKEN="+testToken)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(stderr.String(), "--state-dir") {
		t.Fatalf("run = %v, want exit %d and advice to set --state-dir:\n%s", err, exitUsage, tail(stderr.String()))
	}
	if n := srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// TestOnlyChangedStaleTarget: after a run on other settings that wrote
// some of the same properties (a changed mapping for one night), going
// back to the earlier settings sends every record once, says why, and
// trusts its state again the night after.
func TestOnlyChangedStaleTarget(t *testing.T) {
	const rows = 500
	srv, url := startEmulator(t, emulator.Config{SeedIDs: rows, Seed: 21})
	dir := t.TempDir()
	path := filepath.Join(dir, "calls.csv")
	args := func(more ...string) []string {
		return append(append([]string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--log-format", "json",
			"--only-changed", "--state-dir", filepath.Join(dir, "state"), "--on-new-input", "restart"}, more...), path)
	}
	nt := newNightly(rows)
	const why = "sending every record, as --full-resync"
	for i, night := range []struct {
		name     string
		more     []string
		requests int
		stale    bool
	}{
		{"first night", nil, rows / 100, false},
		{"other mapping", []string{"--drop", "message_count"}, rows / 100, false},
		{"back to the first mapping", nil, rows / 100, true},
		{"the night after", nil, 0, false},
	} {
		nt.write(t, path)
		renew(t, path, time.Now().Add(time.Duration(i)*time.Hour))
		r := runOnlyChanged(t, srv, args(night.more...)...)
		if r.res.code != exitOK || r.requests != night.requests {
			t.Fatalf("%s: exit %d, %d requests; want 0, %d\n%s", night.name, r.res.code, r.requests, night.requests, tail(r.res.stderr))
		}
		if n, want := strings.Count(r.res.stderr, why), map[bool]int{true: 1}[night.stale]; n != want {
			t.Errorf("%s: %d log lines say %q, want %d:\n%s", night.name, n, why, want, tail(r.res.stderr))
		}
	}
}
