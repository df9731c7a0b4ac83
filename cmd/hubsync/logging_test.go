package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/hubsync/hubsync/emulator"
)

// TestLogFormatAutoOnTerminal runs a sync whose stderr is a terminal:
// --log-format auto must give console lines there, not JSON, although the
// log writes through the progress bar's shared output; and JSON on a pipe.
func TestLogFormatAutoOnTerminal(t *testing.T) {
	_, url := startEmulator(t, emulator.Config{SeedIDs: 10})
	input := filepath.Join(t.TempDir(), "in.csv")
	if err := writeFile(input, "id,hs_communication_body\n1,hi\n"); err != nil {
		t.Fatal(err)
	}
	for _, terminal := range []bool{true, false} {
		name := map[bool]string{true: "terminal", false: "pipe"}[terminal]
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(hubsyncBin, "sync", "--base-url", url, "--object", "communications", "--progress", "never",
				"--checkpoint", filepath.Join(t.TempDir(), "cp.json"), "--dead-letter", filepath.Join(t.TempDir(), "dl.csv"), input)
			cmd.Env = append(os.Environ(), "HUBSPOT_ACCESS_TOKEN="+testToken)
			var shown lockedBuffer
			var copied chan struct{}
			if terminal {
				ptmx, tty, err := pty.Open()
				if errors.Is(err, pty.ErrUnsupported) {
					t.Skip("no pseudo-terminals on this system")
				}
				if err != nil {
					t.Fatal(err)
				}
				defer ptmx.Close()
				cmd.Stderr = tty
				copied = make(chan struct{})
				go func() { io.Copy(&shown, ptmx); close(copied) }()
				err = cmd.Run()
				tty.Close()
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				select {
				case <-copied:
				case <-time.After(2 * time.Second):
				}
			} else {
				cmd.Stderr = &shown
				if err := cmd.Run(); err != nil {
					t.Fatalf("run: %v", err)
				}
			}
			out := shown.String()
			gotJSON := strings.Contains(out, `{"level":"info"`)
			if gotJSON == terminal || !strings.Contains(out, "preflight passed") {
				t.Errorf("on a %s, JSON logs = %v, want %v:\n%s", name, gotJSON, !terminal, out)
			}
		})
	}
}
