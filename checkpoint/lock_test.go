//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An flock belongs to an open file, so a second Lock in the same process
// conflicts with the first as a second process would.
func TestLockExcludesSecondHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.checkpoint.json.lock")
	first, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(path)
	var locked *LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("second Lock: %v, want a *LockedError", err)
	}
	if locked.PID != os.Getpid() || time.Since(locked.Since) > time.Minute {
		t.Errorf("LockedError names pid %d since %s, want this process, now", locked.PID, locked.Since)
	}
	if !strings.Contains(err.Error(), "another run of this job is in progress, pid ") {
		t.Errorf("message %q", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Lock(path)
	if err != nil {
		t.Fatalf("Lock after Close: %v", err)
	}
	again.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the lock file is gone after Close: %v", err)
	}
}

func TestLockRefusesOddFiles(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	os.WriteFile(target, nil, 0o600)
	link := filepath.Join(dir, "link.lock")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.lock")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data.lock")
	os.WriteFile(data, []byte("id,name\n1,a\n"), 0o600)
	for name, path := range map[string]string{"symbolic link": link, "named pipe": fifo, "directory": dir, "another file": data} {
		t.Run(name, func(t *testing.T) {
			l, err := Lock(path)
			if err == nil {
				l.Close()
				t.Fatal("Lock took a lock on it")
			}
			if b, _ := os.ReadFile(data); string(b) != "id,name\n1,a\n" {
				t.Errorf("Lock changed a file that is not a lock file: %q", b)
			}
		})
	}
}

func TestParseLockRecord(t *testing.T) {
	since := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in string
		pid      int
		since    time.Time
	}{
		{"written by lockRecord", lockRecord(42, since), 42, since},
		{"empty: the holder has not written yet", "", 0, time.Time{}},
		{"garbage", "pid x\nsince y\n", 0, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pid, got := parseLockRecord(tt.in)
			if pid != tt.pid || !got.Equal(tt.since) {
				t.Errorf("got pid %d since %s, want %d since %s", pid, got, tt.pid, tt.since)
			}
		})
	}
}
