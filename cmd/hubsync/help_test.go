package main

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestEveryFlagIsInTheReadme keeps README.md's reference complete: each flag
// that a command's --help lists must appear in it.
func TestEveryFlagIsInTheReadme(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	flagRE := regexp.MustCompile(`(?m)^\s+(?:-\w, )?(--[a-z0-9-]+)`)
	for _, cmd := range []string{"sync", "emulator", "demo", "status", "state"} {
		t.Run(cmd, func(t *testing.T) {
			var out, errb strings.Builder
			code := run(context.Background(), []string{cmd, "--help"}, env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }})
			if code != exitOK {
				t.Fatalf("%s --help: exit status %d", cmd, code)
			}
			help := out.String() + errb.String()
			if !strings.Contains(help, "Usage: hubsync "+cmd) || !strings.Contains(help, "Example") {
				t.Errorf("%s --help has no usage line or examples:\n%s", cmd, help)
			}
			for _, m := range flagRE.FindAllStringSubmatch(help, -1) {
				if m[1] == "--help" {
					continue
				}
				if !strings.Contains(string(readme), "`"+m[1]) {
					t.Errorf("%s flag %s is not documented in README.md", cmd, m[1])
				}
			}
		})
	}
}

// TestSyncHelpExplainsLimits checks that sync --help says what happens to
// a record over --max-record-bytes and to a cell over HubSpot's cap on a
// text property, and lists every exit status.
func TestSyncHelpExplainsLimits(t *testing.T) {
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"sync", "--help"}, env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}); code != exitOK {
		t.Fatalf("exit status %d", code)
	}
	help := strings.Join(strings.Fields(out.String()+errb.String()), " ")
	for _, want := range []string{
		"dead-lettered whole as RECORD_TOO_LARGE, never split into rows",
		"HubSpot caps a text property at 65,536 characters",
		"5 the input held no records",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("sync --help lacks %q", want)
		}
	}
}
