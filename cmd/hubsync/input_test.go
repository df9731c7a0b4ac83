package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
)

func TestOpenInputRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "in.csv")
	if err := writeFile(regular, "id\n1\n"); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, wantErr string
	}{
		{regular, ""},
		{"/dev/zero", "is a character device, not a regular file"},
		{fifo, "is a FIFO, not a regular file"},
		{dir, "is a directory, not a regular file"},
		{filepath.Join(dir, "missing.csv"), "no such file"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			f, err := openInput(tt.path)
			if f != nil {
				f.Close()
			}
			if tt.wantErr == "" && err != nil {
				t.Fatalf("error %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// endless is an input with no end, like /dev/zero.
type endless struct{}

func (endless) Read(p []byte) (int, error)     { clear(p); return len(p), nil }
func (endless) Seek(int64, int) (int64, error) { return 0, nil }
func readSome(r io.Reader) error               { _, err := r.Read(make([]byte, 8)); return err }
func isStop(err error) bool                    { return errors.Is(err, pipeline.ErrInterrupted) }
func newTestInput(ctx context.Context, drain chan struct{}, grace time.Duration) *stoppableInput {
	in := newStoppableInput(ctx, drain, endless{})
	in.grace = grace
	return in
}

func TestStoppableInput(t *testing.T) {
	t.Run("reads until the drain, then for the grace", func(t *testing.T) {
		drain := make(chan struct{})
		in := newTestInput(context.Background(), drain, 50*time.Millisecond)
		if err := readSome(in); err != nil {
			t.Fatalf("before the drain: %v", err)
		}
		close(drain)
		if err := readSome(in); err != nil {
			t.Fatalf("within the grace: %v", err)
		}
		time.Sleep(60 * time.Millisecond)
		if err := readSome(in); !isStop(err) {
			t.Fatalf("after the grace: %v, want ErrInterrupted", err)
		}
	})
	t.Run("stops at once when the context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		in := newTestInput(ctx, nil, time.Hour)
		cancel()
		if err := readSome(in); !isStop(err) {
			t.Fatalf("%v, want ErrInterrupted", err)
		}
	})
}

func TestInputChange(t *testing.T) {
	tests := []struct {
		name     string
		change   func(f *os.File) error
		want     []string // in the message; nil: no change
		resumed  bool
		notWants string
	}{
		{name: "unchanged", change: func(*os.File) error { return nil }},
		{name: "appended", change: func(f *os.File) error { _, err := f.WriteString("9999,PARTIAL"); return err }, resumed: true,
			want: []string{"the input changed while it was read (11 bytes at the start, 23 now)", "records past byte 11 were not read", "rerun with --restart once"}},
		{name: "appended in a dry run", change: func(f *os.File) error { _, err := f.WriteString("x"); return err },
			want: []string{"records past byte 11", "rerun once the export"}, notWants: "--restart"},
		{name: "truncated", change: func(f *os.File) error { return f.Truncate(3) }, resumed: true,
			want: []string{"11 bytes and modified", "3 bytes and modified", "may be cut short"}},
		{name: "touched", change: func(f *os.File) error {
			return os.Chtimes(f.Name(), time.Now(), time.Now().Add(time.Hour))
		}, resumed: true, want: []string{"11 bytes and modified", "now): records may be cut short"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.csv")
			if err := writeFile(path, "id\n1\n2\n3\n4\n"); err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fp, err := checkpoint.Fingerprint(f, path)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.change(f); err != nil {
				t.Fatal(err)
			}
			got := inputChange(f, fp, tt.resumed)
			if changed := changedSince(f, fp)(); changed != (tt.want != nil) {
				t.Errorf("changedSince = %v, want %v", changed, tt.want != nil)
			}
			if changed := inputRead(context.Background(), nil, f, fp).Changed(); changed != (tt.want != nil) {
				t.Errorf("Changed = %v, want %v", changed, tt.want != nil)
			}
			if tt.want == nil && got != "" {
				t.Fatalf("inputChange = %q, want none", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("inputChange = %q, want it to hold %q", got, w)
				}
			}
			if tt.notWants != "" && strings.Contains(got, tt.notWants) {
				t.Errorf("inputChange = %q holds %q", got, tt.notWants)
			}
		})
	}
}

// TestInputReadStopsWhenRewritten rewrites the input in place between two
// reads, at the same size: the read after the change must fail with
// errInputChanged and give none of its bytes, which may be the new file's.
func TestInputReadStopsWhenRewritten(t *testing.T) {
	tests := []struct {
		name    string
		rewrite string // the new content
	}{
		{name: "same size", rewrite: "id,v\n1,NEW\n2,NEW\n3,NEW\n"},
		{name: "larger", rewrite: "id,v\n1,NEW\n2,NEW\n3,NEW\n4,NEW\n"},
		{name: "smaller", rewrite: "id,v\n1,NEW\n"},
		// Caught between the truncation and the writes: the read finds the
		// end of the file early, which must not pass for the end of the
		// input (the run would take the job for finished).
		{name: "emptied", rewrite: ""},
		{name: "cut before the offset read", rewrite: "id,v\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.csv")
			if err := writeFile(path, "id,v\n1,OLD\n2,OLD\n3,OLD\n"); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fp, err := checkpoint.Fingerprint(f, path)
			if err != nil {
				t.Fatal(err)
			}
			in := inputRead(context.Background(), nil, f, fp)
			buf := make([]byte, 8)
			if n, err := in.Read(buf); err != nil || string(buf[:n]) != "id,v\n1,O" {
				t.Fatalf("first read = %q, %v", buf[:n], err)
			}
			// A later mtime, as a rewrite a moment later would leave, even
			// where the clock has not moved since the fingerprint.
			if err := writeFile(path, tt.rewrite); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(path, time.Now(), fp.ModTime.Add(time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			n, err := in.Read(buf)
			if n != 0 || !errors.Is(err, errInputChanged) {
				t.Fatalf("read after the rewrite = %q, %v; want no bytes and errInputChanged", buf[:n], err)
			}
			if msg := err.Error(); !strings.Contains(msg, "the input changed while it was read") || !strings.Contains(msg, "rerun once the export has finished") {
				t.Errorf("error %q does not say what happened and what to do", msg)
			}
			if code := exitCode(err, 0); code != exitResumable {
				t.Errorf("exit status %d, want %d", code, exitResumable)
			}
		})
	}
}

// TestInputReadEndsAtTheFingerprintedSize appends to the input after it
// was read to its fingerprinted size: the reader still finds the end there
// (the change is told when the run ends, with its job finished).
func TestInputReadEndsAtTheFingerprintedSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.csv")
	if err := writeFile(path, "id\n1\n"); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fp, err := checkpoint.Fingerprint(f, path)
	if err != nil {
		t.Fatal(err)
	}
	in := inputRead(context.Background(), nil, f, fp)
	got, err := io.ReadAll(io.LimitReader(in, fp.Size))
	if err != nil || string(got) != "id\n1\n" {
		t.Fatalf("read %q, %v", got, err)
	}
	if _, err := f.WriteString("2\n"); err != nil {
		t.Fatal(err)
	}
	if n, err := in.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Fatalf("read at the fingerprinted size = %d, %v; want 0, EOF", n, err)
	}
}
