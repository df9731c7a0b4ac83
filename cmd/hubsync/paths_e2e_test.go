package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
)

// TestPathRefusals runs the binary with paths that collide or cannot be
// written safely. Each run must end with status 2 before it sends anything
// or writes anything: the folder holding every path is the same afterwards,
// byte for byte.
func TestPathRefusals(t *testing.T) {
	tests := []struct {
		name string
		// setup prepares dir, which holds calls.csv, and returns the flags
		// to add before the input path.
		setup   func(t *testing.T, dir string) []string
		wantErr string // in stderr
	}{
		{"checkpoint is the dead-letter file", func(t *testing.T, dir string) []string {
			p := filepath.Join(dir, "state.csv")
			putFile(t, p, "id,_error_code,_error_message,_source_line\n7,OBJECT_NOT_FOUND,gone,9\n")
			return []string{"--checkpoint", p, "--dead-letter", p}
		}, "--checkpoint"},
		{"checkpoint and dead-letter file not there yet", func(t *testing.T, dir string) []string {
			p := filepath.Join(dir, "state.csv")
			return []string{"--checkpoint", p, "--dead-letter", filepath.Join(dir, ".", "sub", "..", "state.csv")}
		}, "same file"},
		{"report is the input", func(t *testing.T, dir string) []string {
			return []string{"--report", filepath.Join(dir, "calls.csv")}
		}, "--report"},
		{"report is the input and the rate is wrong", func(t *testing.T, dir string) []string {
			return []string{"--report", filepath.Join(dir, "calls.csv"), "--rate", "fast"}
		}, "--report"},
		{"report is the default dead-letter file", func(t *testing.T, dir string) []string {
			putFile(t, filepath.Join(dir, "calls.dead-letter.csv"), "id,_error_code,_error_message,_source_line\n")
			return []string{"--report", filepath.Join(dir, "calls.dead-letter.csv")}
		}, "--report"},
		{"report is the dry run's dead-letter file", func(t *testing.T, dir string) []string {
			return []string{"--dry-run", "--report", filepath.Join(dir, "calls.dry-run.dead-letter.csv")}
		}, "--report"},
		{"dead-letter file is the input through a hard link", func(t *testing.T, dir string) []string {
			link := filepath.Join(dir, "other.csv")
			if err := os.Link(filepath.Join(dir, "calls.csv"), link); err != nil {
				t.Skipf("no hard links here: %v", err)
			}
			return []string{"--dead-letter", link}
		}, "--dead-letter"},
		{"dead-letter file is a directory", func(t *testing.T, dir string) []string {
			d := filepath.Join(dir, "dead")
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
			putFile(t, filepath.Join(d, "keep.txt"), "mine")
			return []string{"--dead-letter", d}
		}, "is a directory"},
		{"dead-letter file is a symbolic link", func(t *testing.T, dir string) []string {
			target := filepath.Join(dir, "elsewhere.csv")
			putFile(t, target, "precious\n")
			link := filepath.Join(dir, "dead.csv")
			if err := os.Symlink(target, link); err != nil {
				t.Skipf("no symbolic links here: %v", err)
			}
			return []string{"--dead-letter", link}
		}, "symbolic link"},
		{"dead-letter file is a FIFO", func(t *testing.T, dir string) []string {
			p := filepath.Join(dir, "dead.csv")
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Skipf("no FIFOs here: %v", err)
			}
			return []string{"--dead-letter", p}
		}, "is a FIFO"},
		{"checkpoint is a device", func(t *testing.T, dir string) []string {
			return []string{"--checkpoint", os.DevNull}
		}, "device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Config{SeedIDs: 100})
			dir := t.TempDir()
			generate(t, dir, "calls.csv", genOptions{rows: 50, seedIDs: 100, distinct: 50, seed: 2})
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--rate", "0"}, tt.setup(t, dir)...)
			before := dirSnapshot(t, dir)
			res := runHubsyncWithin(t, 30*time.Second, append(args, filepath.Join(dir, "calls.csv"))...)
			if res.code != exitUsage {
				t.Fatalf("exit status %d, want %d\n%s", res.code, exitUsage, tail(res.stderr))
			}
			if !strings.Contains(res.stderr, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, tail(res.stderr))
			}
			if diff := cmp.Diff(before, dirSnapshot(t, dir)); diff != "" {
				t.Errorf("the folder changed (-before +after):\n%s", diff)
			}
			if n := srv.Stats().Requests; n != 0 {
				t.Errorf("%d requests reached the emulator, want none", n)
			}
		})
	}
}

// TestBaseURLCredentialsNeverReported checks that a base URL with a user
// name and password is refused before anything is written, the report
// included.
func TestBaseURLCredentialsNeverReported(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 100})
	dir := t.TempDir()
	ds := generate(t, dir, "calls.csv", genOptions{rows: 10, seedIDs: 100, distinct: 10, seed: 2})
	report := filepath.Join(dir, "report.json")
	withCreds := strings.Replace(url, "://", "://admin:hunter2-secret@", 1)
	res := runHubsync(t, "sync", "--base-url", withCreds, "--object", "communications", "--report", report, ds.path)
	if res.code != exitUsage {
		t.Fatalf("exit status %d, want %d\n%s", res.code, exitUsage, tail(res.stderr))
	}
	if strings.Contains(res.stderr, "hunter2") {
		t.Errorf("stderr shows the password:\n%s", res.stderr)
	}
	if b, err := os.ReadFile(report); err == nil && bytes.Contains(b, []byte("hunter2")) {
		t.Errorf("the report holds the password:\n%s", b)
	}
	if n := srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests reached the emulator, want none", n)
	}
}

// TestRestartsKeepEveryDeadLetterFile runs a job three times in quick
// succession, the last two with --restart: each restart moves the last
// dead-letter file aside, and none may replace another, even within one
// second.
func TestRestartsKeepEveryDeadLetterFile(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 100})
	dir := t.TempDir()
	ds := generate(t, dir, "calls.csv", genOptions{rows: 60, seedIDs: 100, distinct: 50, badEvery: 10, seed: 4})
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", ds.path}
	for i, extra := range [][]string{nil, {"--restart"}, {"--restart"}} {
		if res := runHubsync(t, append(args[:1:1], append(extra, args[1:]...)...)...); res.code != exitDeadLetters {
			t.Fatalf("run %d: exit status %d\n%s", i+1, res.code, tail(res.stderr))
		}
	}
	dlPath := filepath.Join(dir, "calls.dead-letter.csv")
	moved, err := filepath.Glob(dlPath + ".prev-*")
	if err != nil {
		t.Fatal(err)
	}
	if len(moved) != 2 {
		t.Fatalf("dead-letter files moved aside: %q, want two", moved)
	}
	for i, p := range append(moved, dlPath) {
		// readDeadLetters knows a CSV file by its name.
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		asCSV := filepath.Join(t.TempDir(), fmt.Sprintf("%d.csv", i))
		putFile(t, asCSV, string(b))
		if diff := cmp.Diff(ds.dead, readDeadLetters(t, asCSV)); diff != "" {
			t.Errorf("%s, line → code (-want +got):\n%s", filepath.Base(p), diff)
		}
	}
}

// runHubsyncWithin is runHubsync that fails the test, instead of hanging,
// when the run takes longer than d (a FIFO blocks whoever opens it).
func runHubsyncWithin(t *testing.T, d time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, hubsyncBin, args...)
	cmd.Env = append(os.Environ(), "HUBSPOT_ACCESS_TOKEN="+testToken)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("hubsync still running after %s\n%s", d, tail(errb.String()))
	}
	res := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run hubsync: %v", err)
	}
	return res
}

// dirSnapshot describes every entry under dir: its type and mode, and a
// regular file's contents or a link's target.
func dirSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		desc := info.Mode().String()
		switch {
		case info.Mode().IsRegular():
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			desc += " " + string(b)
		case info.Mode()&fs.ModeSymlink != 0:
			to, err := os.Readlink(path)
			if err != nil {
				return err
			}
			desc += " -> " + to
		}
		rel, _ := filepath.Rel(dir, path)
		got[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func putFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
