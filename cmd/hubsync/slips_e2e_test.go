package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
	"github.com/hubsync/hubsync/source"
)

// runLimited runs the binary like runHubsync, but kills it after timeout
// and also returns its peak resident memory in KiB.
func runLimited(t *testing.T, timeout time.Duration, env []string, args ...string) (result, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, hubsyncBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	res := result{stdout: out.String(), stderr: errb.String(), elapsed: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("hubsync %v still ran after %s; stderr:\n%s", args, timeout, tail(res.stderr))
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run hubsync: %v", err)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	return res, rss
}

// TestOperatorSlips runs the binary on settings an operator may get wrong:
// each must end at once with a usage error that says what is wrong, read
// little, and send nothing.
func TestOperatorSlips(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	if err := writeFile(input, "id,hs_communication_body\n1,hello\n"); err != nil {
		t.Fatal(err)
	}
	longToken := filepath.Join(dir, "long-token")
	if err := writeFile(longToken, "pat-secret-first-line\n"+strings.Repeat("x", 5000)); err != nil {
		t.Fatal(err)
	}
	bigConfig := filepath.Join(dir, "big.yaml")
	if err := writeFile(bigConfig, "object: communications\n"+strings.Repeat("# padding\n", 110_000)); err != nil {
		t.Fatal(err)
	}
	twoDocs := filepath.Join(dir, "two.yaml")
	if err := writeFile(twoDocs, "object: communications\n---\nbase_url: https://example.invalid\n"); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "in-fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string // before the input
		input      string
		wantStderr string
	}{
		{"token file is a device", []string{"--token-file", "/dev/zero"}, input, "token file /dev/zero is not a regular file"},
		{"token file too long", []string{"--token-file", longToken}, input, "too long for an access token"},
		{"config over 1 MiB", []string{"--config", bigConfig}, input, "too large for a config"},
		{"config with two documents", []string{"--config", twoDocs}, input, "a second YAML document"},
		{"input is a device", []string{"--format", "csv"}, "/dev/zero", "input /dev/zero is a character device, not a regular file"},
		{"input is a FIFO", nil, fifo, "is a FIFO, not a regular file"},
		{"input is a directory", []string{"--format", "jsonl"}, dir, "is a directory, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--log-format", "json"}, tt.args...)
			res, rss := runLimited(t, 20*time.Second, []string{"HUBSPOT_ACCESS_TOKEN=" + testToken}, append(args, tt.input)...)
			if res.code != exitUsage {
				t.Errorf("exit status %d, want %d; stderr:\n%s", res.code, exitUsage, tail(res.stderr))
			}
			if !strings.Contains(res.stderr, tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, tail(res.stderr))
			}
			if strings.Contains(res.stderr, "pat-secret") {
				t.Errorf("stderr quotes the token file:\n%s", res.stderr)
			}
			// Loose: a child's peak counts the test process's own memory
			// before the exec; reading /dev/zero unbounded took gigabytes.
			if rss > 1<<20 {
				t.Errorf("peak memory %d MiB", rss>>10)
			}
		})
	}
	if st := srv.Stats(); st.BatchRequests != 0 {
		t.Errorf("%d batch requests sent", st.BatchRequests)
	}
}

// TestTokenFileOpenToOthers warns, as ssh does, about a token file other
// users may read, and runs all the same.
func TestTokenFileOpenToOthers(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	if err := writeFile(input, "id,hs_communication_body\n1,hello\n"); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(testToken+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tokenFile, 0o644); err != nil {
		t.Fatal(err)
	}
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--log-format", "json", "--token-file", tokenFile, input)
	if res.code != exitOK {
		t.Fatalf("exit status %d; stderr:\n%s", res.code, tail(res.stderr))
	}
	if !strings.Contains(res.stderr, "the token file is open to other users") || !strings.Contains(res.stderr, `"mode":"0644"`) {
		t.Errorf("no warning about the token file's mode:\n%s", tail(res.stderr))
	}
}

// startHubsync starts the binary with the test token and returns the
// command, whose stderr collects into the returned buffer.
func startHubsync(t *testing.T, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(hubsyncBin, args...)
	cmd.Env = append(os.Environ(), "HUBSPOT_ACCESS_TOKEN="+testToken)
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, stderr
}

// waitFor polls cond every 10 ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %s", what, timeout)
		}
	}
}

// bytesRead returns how many bytes process pid has read so far, from any
// file or socket, as Linux's /proc counts them (rchar), or -1 when it
// cannot tell.
func bytesRead(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return -1
	}
	var n int64
	if _, err := fmt.Sscanf(string(b), "rchar: %d", &n); err != nil {
		return -1
	}
	return n
}

// TestInterruptInsideLongLine interrupts a run whose reader is skipping a
// line of gigabytes (a sparse file of NUL bytes without a line end): the
// first Ctrl-C must stop it within a few seconds, resumably, where it used
// to read the whole line first. In a CSV file that line is the header,
// read before the run proper starts.
func TestInterruptInsideLongLine(t *testing.T) {
	if bytesRead(os.Getpid()) < 0 {
		t.Skip("needs Linux's /proc to see how far the reader got")
	}
	_, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	for _, name := range []string{"huge.jsonl", "huge.csv"} {
		t.Run(name, func(t *testing.T) {
			input := filepath.Join(t.TempDir(), name)
			f, err := os.Create(input)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(4 << 30); err != nil { // sparse: no disk used
				t.Fatal(err)
			}
			f.Close()
			cmd, stderr := startHubsync(t, "sync", "--base-url", url, "--object", "communications", "--log-format", "json", "--no-preflight", input)
			if strings.HasSuffix(name, ".jsonl") {
				waitFor(t, 20*time.Second, "the sync to start", func() bool { return strings.Contains(stderr.String(), `"sync started"`) })
			}
			// 16 MiB read: more than anything else the run reads, so the
			// reader is inside the line.
			waitFor(t, 20*time.Second, "the reader to enter the long line", func() bool { return bytesRead(cmd.Process.Pid) > 16<<20 })
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			code, took := waitExit(t, cmd, 15*time.Second)
			if code != exitResumable {
				t.Fatalf("exit status %d, want %d; stderr:\n%s", code, exitResumable, tail(stderr.String()))
			}
			if took > 5*time.Second {
				t.Errorf("took %s to stop after Ctrl-C", took)
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say it was interrupted:\n%s", tail(stderr.String()))
			}
		})
	}
}

// TestInputAppendedDuringRun appends to the input while a sync reads it, as
// an export still being written would: nothing past the size fingerprinted
// at start is read, a last line cut short is dead-lettered instead of sent,
// and the run says that the input changed and exits 4 (not 0 or 3: the
// appended records were not sent), its job finished so that the rerun
// takes the grown file as a new job.
func TestInputAppendedDuringRun(t *testing.T) {
	tests := []struct {
		name     string
		tail     string // after rows 1..20, when the run starts
		appended string // written once the first batch was sent
		wantExit int
		wantRead int64
		wantDead string // the dead-letter file's code, if any
	}{
		{name: "after a complete line", appended: "3,APPENDED\n9999,PARTIAL-VAL",
			wantExit: exitResumable, wantRead: 20},
		{name: "last line cut short", tail: "9999,PARTI", appended: "AL-VAL\n",
			wantExit: exitResumable, wantRead: 21, wantDead: source.CodeIncomplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Config{SeedIDs: 10000, Faults: emulator.Faults{PSlow: 1, SlowDelay: 100 * time.Millisecond}})
			dir := t.TempDir()
			input := filepath.Join(dir, "in.csv")
			var b strings.Builder
			b.WriteString("id,hs_communication_body\n")
			for i := 1; i <= 20; i++ {
				fmt.Fprintf(&b, "%d,row %d\n", i, i)
			}
			b.WriteString(tt.tail)
			if err := writeFile(input, b.String()); err != nil {
				t.Fatal(err)
			}
			size := int64(b.Len())
			report := filepath.Join(dir, "report.json")
			cmd, stderr := startHubsync(t, "sync", "--base-url", url, "--object", "communications", "--log-format", "json",
				"--batch-size", "1", "--workers", "1", "--rate", "0", "--report", report, input)
			waitFor(t, 20*time.Second, "the first batch", func() bool { return srv.Stats().BatchRequests > 0 })
			f, err := os.OpenFile(input, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(tt.appended); err != nil {
				t.Fatal(err)
			}
			f.Close()
			code, _ := waitExit(t, cmd, 30*time.Second)
			if code != tt.wantExit {
				t.Fatalf("exit status %d, want %d; stderr:\n%s", code, tt.wantExit, tail(stderr.String()))
			}
			if rec, ok := srv.Record("communications", "9999"); ok {
				t.Errorf("record 9999 written from a row past the fingerprinted size or cut short: %v", rec)
			}
			if rec, _ := srv.Record("communications", "3"); rec["hs_communication_body"] != "row 3" {
				t.Errorf("record 3 = %v, want the row of the file as it was at the start", rec)
			}
			want := fmt.Sprintf("records past byte %d were not read; rerun once the export has finished", size)
			if !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "rerun the same command once the export has finished") {
				t.Errorf("stderr lacks %q and what to do:\n%s", want, tail(stderr.String()))
			}
			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			var r runReport
			if err := json.Unmarshal(data, &r); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.Error, want) || r.ExitStatus != exitResumable {
				t.Errorf("report error %q, exit status %d; want %d and an error holding %q", r.Error, r.ExitStatus, exitResumable, want)
			}
			if r.Counts.Read != tt.wantRead {
				t.Errorf("read %d records, want %d", r.Counts.Read, tt.wantRead)
			}
			wantByCode := map[string]int64{}
			if tt.wantDead != "" {
				wantByCode[tt.wantDead] = 1
			}
			if diff := cmp.Diff(wantByCode, r.Counts.DeadByCode); diff != "" {
				t.Errorf("dead letters by code (-want +got):\n%s", diff)
			}
		})
	}
}
