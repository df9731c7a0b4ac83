package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
)

// The README's nightly recipe, "--dry-run && the real run", with a config
// that names the dead-letter file: the dry run must write a file of its
// own, leave the job's untouched, and the resumed job must end with
// exactly its own dead letters.
func TestDryRunKeepsOffTheJobsDeadLetterFile(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 4000, Seed: 3,
		Faults: emulator.Faults{PSlow: 1, SlowDelay: 30 * time.Millisecond}})
	dir := t.TempDir()
	ds := generate(t, dir, "export.csv", genOptions{rows: 3000, seedIDs: 4000, distinct: 2500, badEvery: 100, seed: 5})
	cp := ds.path + ".checkpoint.json"
	dl := filepath.Join(dir, "failed.csv")
	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0",
		"--workers", "1", "--dead-letter", dl, ds.path}
	cmd, _ := startSync(t, args...)
	waitFor(t, 20*time.Second, "progress", func() bool { return partway(cp, ds, 1000) })
	cmd.Process.Kill()
	cmd.Wait()
	before, err := os.ReadFile(dl)
	if err != nil {
		t.Fatal(err)
	}

	dry := runHubsync(t, "sync", "--dry-run", "--base-url", url, "--object", "communications", "--dead-letter", dl, ds.path)
	if dry.code != exitDeadLetters {
		t.Fatalf("dry run exit %d, want %d\n%s", dry.code, exitDeadLetters, tail(dry.stderr))
	}
	after, err := os.ReadFile(dl)
	if err != nil {
		t.Fatalf("the job's dead-letter file after the dry run: %v", err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("the dry run changed the job's dead-letter file %s", dl)
	}
	if got := archives(t, dl); len(got) != 0 {
		t.Errorf("the dry run archived the job's dead-letter file: %v", got)
	}
	dryDL := filepath.Join(dir, "failed.dry-run.csv")
	wantDry := map[int64]string{} // records that do not exist cannot be known without writing
	for line, code := range ds.dead {
		if code != "OBJECT_NOT_FOUND" {
			wantDry[line] = code
		}
	}
	if diff := cmp.Diff(wantDry, readDeadLetters(t, dryDL)); diff != "" {
		t.Errorf("dry run's dead letters in %s (-want +got):\n%s", dryDL, diff)
	}
	if !strings.Contains(dry.stderr, dryDL) {
		t.Errorf("the dry run's output does not name %s:\n%s", dryDL, tail(dry.stderr))
	}

	res := runHubsync(t, args...)
	if res.code != exitDeadLetters {
		t.Fatalf("resumed run exit %d, want %d\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}
	if diff := cmp.Diff(ds.dead, readDeadLetters(t, dl)); diff != "" {
		t.Errorf("dead letters in %s after the resume (-want +got):\n%s", dl, diff)
	}
	checkState(t, srv, ds)
}

// dryRunDeadLetterPath derives the dry run's file from whichever
// dead-letter path applies, so that it is never the real job's.
func TestDryRunDeadLetterPath(t *testing.T) {
	tests := []struct {
		name, deadLetter, file, want string
	}{
		{"default", "", "dir/export.csv", "dir/export.dry-run.dead-letter.csv"},
		{"default jsonl", "", "dir/export.jsonl", "dir/export.dry-run.dead-letter.jsonl"},
		{"named", "out/failed.csv", "export.csv", "out/failed.dry-run.csv"},
		{"named without extension", "out/failed", "export.csv", "out/failed.dry-run"},
		{"dot in the directory", "out.d/failed", "export.csv", "out.d/failed.dry-run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := defaultSyncOptions()
			o.DeadLetter = tt.deadLetter
			format, err := inputFormat("", tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if got := dryRunDeadLetterPath(o, tt.file, format); got != filepath.FromSlash(tt.want) {
				t.Errorf("dryRunDeadLetterPath(%q, %q) = %q, want %q", tt.deadLetter, tt.file, got, tt.want)
			}
		})
	}
}

// A job killed part way must not resume over a dead-letter file that is no
// longer the one it wrote: it would take the entries past its last save as
// its own and skip their lines, records it never sent. Two dated exports
// whose config names one dead-letter file do exactly that: the other job
// archives this one's file and writes its own.
func TestResumeRefusesAnotherDeadLetterFile(t *testing.T) {
	tests := []struct {
		name    string
		between func(t *testing.T, url, dl string) // what happens while job a is stopped
		want    string
		archive bool // the refusal names the archive that holds a's file
	}{
		{
			name: "another job shares the file",
			between: func(t *testing.T, url, dl string) {
				b := generate(t, t.TempDir(), "b.csv", genOptions{rows: 300, seedIDs: 4000, distinct: 250, badEvery: 7, seed: 9})
				res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "0", "--dead-letter", dl, b.path)
				if res.code != exitDeadLetters {
					t.Fatalf("job b exit %d, want %d\n%s", res.code, exitDeadLetters, tail(res.stderr))
				}
			},
			want:    "is not the one this job wrote",
			archive: true,
		},
		{
			name: "the file was deleted",
			between: func(t *testing.T, _, dl string) {
				if err := os.Remove(dl); err != nil {
					t.Fatal(err)
				}
			},
			want: "is missing",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, url := startEmulator(t, emulator.Config{SeedIDs: 4000, Seed: 3,
				Faults: emulator.Faults{PSlow: 1, SlowDelay: 30 * time.Millisecond}})
			dir := t.TempDir()
			a := generate(t, dir, "a.csv", genOptions{rows: 3000, seedIDs: 4000, distinct: 3000, badEvery: 100, seed: 5, unique: true})
			cp := a.path + ".checkpoint.json"
			dl := filepath.Join(dir, "failed.csv")
			args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "0",
				"--workers", "1", "--dead-letter", dl, a.path}
			cmd, _ := startSync(t, args...)
			waitFor(t, 20*time.Second, "progress", func() bool { return partway(cp, a, 500) })
			cmd.Process.Kill()
			cmd.Wait()
			before, err := os.ReadFile(cp)
			if err != nil {
				t.Fatal(err)
			}
			tt.between(t, url, dl)

			res := runHubsync(t, args...)
			if res.code != exitUsage {
				t.Fatalf("resume exit %d, want %d\n%s", res.code, exitUsage, tail(res.stderr))
			}
			for _, want := range []string{dl, tt.want, "give each job its own --dead-letter"} {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("the refusal does not say %q:\n%s", want, tail(res.stderr))
				}
			}
			if tt.archive {
				got := archives(t, dl)
				if len(got) != 1 || !strings.Contains(res.stderr, "earlier dead letters are in "+got[0]) {
					t.Errorf("the refusal does not name the archive of a's file (archives %v):\n%s", got, tail(res.stderr))
				}
			}
			after, err := os.ReadFile(cp)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Errorf("the refused resume changed the checkpoint")
			}
		})
	}
}

// Two jobs that name one dead-letter file cannot run at once: the second
// finds the file locked and changes nothing.
func TestDeadLetterFileLockedByAnotherJob(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 4000, Seed: 3,
		Faults: emulator.Faults{PSlow: 1, SlowDelay: 50 * time.Millisecond}})
	dir := t.TempDir()
	a := generate(t, dir, "a.csv", genOptions{rows: 3000, seedIDs: 4000, distinct: 3000, badEvery: 100, seed: 5, unique: true})
	b := generate(t, t.TempDir(), "b.csv", genOptions{rows: 300, seedIDs: 4000, distinct: 250, badEvery: 7, seed: 9})
	dl := filepath.Join(dir, "failed.csv")
	cmd, _ := startSync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "0",
		"--workers", "1", "--dead-letter", dl, a.path)
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitFor(t, 20*time.Second, "progress", func() bool { return partway(a.path+".checkpoint.json", a, 500) })

	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--rate", "0", "--dead-letter", dl, b.path)
	if res.code != exitUsage {
		t.Fatalf("job b beside job a: exit %d, want %d\n%s", res.code, exitUsage, tail(res.stderr))
	}
	for _, want := range []string{dl, "another run", "give each job its own --dead-letter"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, tail(res.stderr))
		}
	}
	if got := archives(t, dl); len(got) != 0 {
		t.Errorf("job b archived job a's dead-letter file: %v", got)
	}
	if _, err := os.Stat(b.path + ".checkpoint.json"); !os.IsNotExist(err) {
		t.Errorf("job b left a checkpoint: %v", err)
	}
}
