package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs the README's first command, smaller, and checks it shows the
// interrupt-and-resume step and ends with the files in place.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	var out, errb strings.Builder
	code := run(context.Background(), []string{"demo", "--records", "3000", "--dir", dir},
		env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }})
	if code != exitOK {
		t.Fatalf("demo: exit status %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), tail(errb.String()))
	}
	for _, want := range []string{"Interrupted (exit status 4)", "resumes from the checkpoint", "in progress", "complete, 100.0% settled", "_error_code"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	for _, name := range []string{"communications.csv", "communications.dead-letter.csv", "communications.csv.checkpoint.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("demo left no %s: %v", name, err)
		}
	}
}
