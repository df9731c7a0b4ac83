package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCheckSyncPaths checks the paths of a sync of in.csv in a folder that
// holds in.csv, a file old.csv, a folder sub and whatever the case adds.
func TestCheckSyncPaths(t *testing.T) {
	type want struct {
		same [2]string   // the two paths that collide, by what they are
		kind string      // or the output path refused, by what it is
		mode fs.FileMode // and what it is
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) // may be nil
		opts  func(o *syncOptions, dir string)
		want  *want // nil: accepted
	}{
		{"defaults", nil, func(o *syncOptions, dir string) {}, nil},
		{"every path its own", nil, func(o *syncOptions, dir string) {
			o.Checkpoint, o.DeadLetter, o.Report = inDir(dir, "cp.json"), inDir(dir, "dead.csv"), inDir(dir, "report.json")
		}, nil},
		{"checkpoint is the dead-letter file", nil, func(o *syncOptions, dir string) {
			o.Checkpoint, o.DeadLetter = inDir(dir, "state"), inDir(dir, "state")
		}, &want{same: [2]string{"--checkpoint", "--dead-letter"}}},
		{"same file spelled two ways", nil, func(o *syncOptions, dir string) {
			o.Checkpoint, o.DeadLetter = inDir(dir, "state"), dir+"/sub/../state"
		}, &want{same: [2]string{"--checkpoint", "--dead-letter"}}},
		{"relative and absolute", nil, func(o *syncOptions, dir string) {
			o.Report = "in.csv"
		}, &want{same: [2]string{"the input FILE", "--report"}}},
		{"report is the input", nil, func(o *syncOptions, dir string) {
			o.Report = inDir(dir, "in.csv")
		}, &want{same: [2]string{"the input FILE", "--report"}}},
		{"report is the default dead-letter file", nil, func(o *syncOptions, dir string) {
			o.Report = inDir(dir, "in.dead-letter.csv")
		}, &want{same: [2]string{"the default dead-letter file", "--report"}}},
		{"report is the default checkpoint", nil, func(o *syncOptions, dir string) {
			o.Report = inDir(dir, "in.csv.checkpoint.json")
		}, &want{same: [2]string{"the default checkpoint file", "--report"}}},
		{"checkpoint is the default dead-letter file", nil, func(o *syncOptions, dir string) {
			o.Checkpoint = inDir(dir, "in.dead-letter.csv")
		}, &want{same: [2]string{"--checkpoint", "the default dead-letter file"}}},
		{"dead-letter file is the input", nil, func(o *syncOptions, dir string) {
			o.DeadLetter = inDir(dir, "in.csv")
		}, &want{same: [2]string{"the input FILE", "--dead-letter"}}},
		{"dry run: report is its dead-letter file", nil, func(o *syncOptions, dir string) {
			o.DryRun, o.Report = true, inDir(dir, "in.dry-run.dead-letter.csv")
		}, &want{same: [2]string{"the dry run's default dead-letter file", "--report"}}},
		{"dry run keeps no checkpoint", nil, func(o *syncOptions, dir string) {
			o.DryRun, o.Checkpoint = true, inDir(dir, "in.csv")
		}, nil},
		{"hard link to the input", func(t *testing.T, dir string) {
			if err := os.Link(inDir(dir, "in.csv"), inDir(dir, "hard.csv")); err != nil {
				t.Skipf("no hard links here: %v", err)
			}
		}, func(o *syncOptions, dir string) {
			o.DeadLetter = inDir(dir, "hard.csv")
		}, &want{same: [2]string{"the input FILE", "--dead-letter"}}},
		{"symbolic link to the input", func(t *testing.T, dir string) {
			mustSymlink(t, "in.csv", inDir(dir, "link.csv"))
		}, func(o *syncOptions, dir string) {
			o.Report = inDir(dir, "link.csv")
		}, &want{same: [2]string{"the input FILE", "--report"}}},
		{"two names through a linked folder, neither there yet", func(t *testing.T, dir string) {
			mustSymlink(t, "sub", inDir(dir, "alias"))
		}, func(o *syncOptions, dir string) {
			o.Checkpoint, o.DeadLetter = inDir(dir, "sub", "state"), inDir(dir, "alias", "state")
		}, &want{same: [2]string{"--checkpoint", "--dead-letter"}}},
		{"token file of its own", nil, func(o *syncOptions, dir string) {
			o.TokenFile = inDir(dir, "old.csv")
		}, nil},
		{"token file is the input", nil, func(o *syncOptions, dir string) {
			o.TokenFile = "in.csv"
		}, &want{same: [2]string{"the input FILE", "--token-file"}}},
		{"token file is the report", nil, func(o *syncOptions, dir string) {
			o.TokenFile, o.Report = inDir(dir, "old.csv"), inDir(dir, "old.csv")
		}, &want{same: [2]string{"--token-file", "--report"}}},
		{"token file is the default checkpoint", nil, func(o *syncOptions, dir string) {
			o.TokenFile = inDir(dir, "in.csv.checkpoint.json")
		}, &want{same: [2]string{"--token-file", "the default checkpoint file"}}},
		{"token file is the dry run's dead-letter file", nil, func(o *syncOptions, dir string) {
			o.DryRun, o.TokenFile = true, inDir(dir, "in.dry-run.dead-letter.csv")
		}, &want{same: [2]string{"--token-file", "the dry run's default dead-letter file"}}},
		{"token file is a hard link to the input", func(t *testing.T, dir string) {
			if err := os.Link(inDir(dir, "in.csv"), inDir(dir, "tok")); err != nil {
				t.Skipf("no hard links here: %v", err)
			}
		}, func(o *syncOptions, dir string) {
			o.TokenFile = inDir(dir, "tok")
		}, &want{same: [2]string{"the input FILE", "--token-file"}}},
		{"dead-letter file is a folder", nil, func(o *syncOptions, dir string) {
			o.DeadLetter = inDir(dir, "sub")
		}, &want{kind: "--dead-letter", mode: fs.ModeDir}},
		{"default checkpoint is a folder", func(t *testing.T, dir string) {
			if err := os.Mkdir(inDir(dir, "in.csv.checkpoint.json"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, func(o *syncOptions, dir string) {}, &want{kind: "the default checkpoint file", mode: fs.ModeDir}},
		{"dead-letter file is a FIFO", func(t *testing.T, dir string) { mustMkfifo(t, inDir(dir, "fifo")) }, func(o *syncOptions, dir string) {
			o.DeadLetter = inDir(dir, "fifo")
		}, &want{kind: "--dead-letter", mode: fs.ModeNamedPipe}},
		{"report is a FIFO", func(t *testing.T, dir string) { mustMkfifo(t, inDir(dir, "fifo")) }, func(o *syncOptions, dir string) {
			o.Report = inDir(dir, "fifo")
		}, &want{kind: "--report", mode: fs.ModeNamedPipe}},
		{"checkpoint is a device", nil, func(o *syncOptions, dir string) {
			o.Checkpoint = os.DevNull
		}, &want{kind: "--checkpoint", mode: fs.ModeDevice | fs.ModeCharDevice}},
		{"report is a link to a device", func(t *testing.T, dir string) {
			mustSymlink(t, os.DevNull, inDir(dir, "null"))
		}, func(o *syncOptions, dir string) {
			o.Report = inDir(dir, "null")
		}, &want{kind: "--report", mode: fs.ModeDevice | fs.ModeCharDevice}},
		{"dead-letter file is a symbolic link", func(t *testing.T, dir string) {
			mustSymlink(t, "old.csv", inDir(dir, "dead.csv"))
		}, func(o *syncOptions, dir string) {
			o.DeadLetter = inDir(dir, "dead.csv")
		}, &want{kind: "--dead-letter", mode: fs.ModeSymlink}},
		{"dangling link as the dead-letter file", func(t *testing.T, dir string) {
			mustSymlink(t, "nowhere.csv", inDir(dir, "dead.csv"))
		}, func(o *syncOptions, dir string) {
			o.DeadLetter = inDir(dir, "dead.csv")
		}, &want{kind: "--dead-letter", mode: fs.ModeSymlink}},
		{"report is a symbolic link to a file of its own", func(t *testing.T, dir string) {
			mustSymlink(t, "old.csv", inDir(dir, "report.json"))
		}, func(o *syncOptions, dir string) {
			o.Report = inDir(dir, "report.json")
		}, nil},
		{"report is a dangling link", func(t *testing.T, dir string) {
			mustSymlink(t, "nowhere.json", inDir(dir, "report.json"))
		}, func(o *syncOptions, dir string) {
			o.Report = inDir(dir, "report.json")
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(inDir(dir, "in.csv"), []byte("id\n1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(inDir(dir, "old.csv"), []byte("id\n2\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(inDir(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			t.Chdir(dir)
			o := defaultSyncOptions()
			o.Object = "communications"
			tt.opts(&o, dir)
			err := checkSyncPaths(syncPaths(o, inDir(dir, "in.csv")))
			var same *samePathError
			var kind *outputPathError
			var got *want
			switch {
			case errors.As(err, &same):
				got = &want{same: [2]string{same.a.what, same.b.what}}
			case errors.As(err, &kind):
				got = &want{kind: kind.p.what, mode: kind.mode}
			case err != nil:
				t.Fatalf("unexpected error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("refusal (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

// TestSamePathErrorSaysWhatToChange checks that the message names the flag
// the user gave rather than a default they never chose.
func TestSamePathErrorSaysWhatToChange(t *testing.T) {
	input := syncPath{what: "the input FILE", path: "in.csv"}
	cp := syncPath{what: "--checkpoint", flag: "--checkpoint", path: "x", output: true, explicit: true}
	defaultDL := syncPath{what: "the default dead-letter file", flag: "--dead-letter", path: "x", output: true}
	report := syncPath{what: "--report", flag: "--report", path: "in.csv", output: true, explicit: true}
	token := syncPath{what: "--token-file", flag: "--token-file", path: "tok", explicit: true, secret: true}
	tests := []struct {
		name string
		a, b syncPath
		want string
	}{
		{"explicit, then default", cp, defaultDL, "pass --checkpoint a path of its own"},
		{"input, then explicit", input, report, "pass --report a path of its own"},
		{"default, then explicit", defaultDL, report, "pass --report a path of its own"},
		{"input, then token file", input, token, "its token would be read as records, and sent, dead-lettered or quoted in an error; pass --token-file a path of its own"},
		{"token file, then default", token, defaultDL, "the run would write over the token, or write it into its own files; pass --token-file a path of its own"},
		{"token file, then explicit", token, report, "the run would write over the token, or write it into its own files; pass --report a path of its own"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := (&samePathError{a: tt.a, b: tt.b}).Error()
			if !strings.HasSuffix(msg, tt.want) {
				t.Errorf("message %q does not end with %q", msg, tt.want)
			}
		})
	}
}

// TestBaseURLUserinfo checks how a base URL's credentials are found and
// removed, also where the URL does not parse.
func TestBaseURLUserinfo(t *testing.T) {
	tests := []struct {
		url     string
		has     bool
		without string
	}{
		{"https://api.hubapi.com", false, "https://api.hubapi.com"},
		{"http://127.0.0.1:8080/", false, "http://127.0.0.1:8080/"},
		{"https://api.hubapi.com/a@b", false, "https://api.hubapi.com/a@b"},
		{"https://host?x=a@b", false, "https://host?x=a@b"},
		{"", false, ""},
		{"https://user:secret@api.hubapi.com", true, "https://api.hubapi.com"},
		{"https://user@api.hubapi.com/path", true, "https://api.hubapi.com/path"},
		{"https://us@er:se@cret@host:8443", true, "https://host:8443"},
		{"https://user:pa%zzss@host", true, "https://host"},
		{"user:secret@host", true, "[base url with credentials removed]"},
		{"https:user:secret@host", true, "[base url with credentials removed]"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if got := hasUserinfo(tt.url); got != tt.has {
				t.Errorf("hasUserinfo = %v, want %v", got, tt.has)
			}
			if got := withoutUserinfo(tt.url); got != tt.without {
				t.Errorf("withoutUserinfo = %q, want %q", got, tt.without)
			}
		})
	}
}

// TestReportNeverHoldsBaseURLCredentials builds a report from a run whose
// base URL has credentials and whose error quotes the URL.
func TestReportNeverHoldsBaseURLCredentials(t *testing.T) {
	o := defaultSyncOptions()
	o.Object = "communications"
	o.BaseURL = "https://admin:hunter2@api.example.com"
	r := newRunReport(reportInput{Options: o, File: "in.csv", ExitStatus: exitUsage,
		Err: errors.New(`parse base url: parse "https://admin:hunter2@api.example.com": bad`)})
	path := filepath.Join(t.TempDir(), "report.json")
	if err := writeReport(path, r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "hunter2") || strings.Contains(string(b), "admin") {
		t.Errorf("the report holds the base URL's credentials:\n%s", b)
	}
	if r.Settings.BaseURL != "https://api.example.com" {
		t.Errorf("base_url %q, want https://api.example.com", r.Settings.BaseURL)
	}
}

func inDir(elem ...string) string { return filepath.Join(elem...) }

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

func mustMkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
}
