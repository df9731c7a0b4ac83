package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubsync/hubsync/emulator"
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
			if rss > 200<<10 {
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
