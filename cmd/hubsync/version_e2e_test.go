package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestVersionCommand runs `hubsync version` and `--version`: the version
// on the first line, then the revision the binary was built from (Git's
// HEAD, when Go could record it) and the Go version.
func TestVersionCommand(t *testing.T) {
	head := ""
	if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
		head = strings.TrimSpace(string(out))
	}
	for _, arg := range []string{"version", "--version"} {
		t.Run(arg, func(t *testing.T) {
			res := runHubsync(t, arg)
			if res.code != exitOK {
				t.Fatalf("exit status %d\n%s", res.code, res.stderr)
			}
			lines := strings.Split(res.stdout, "\n")
			if !strings.HasPrefix(lines[0], "hubsync ") || len(lines) < 3 {
				t.Fatalf("output:\n%s", res.stdout)
			}
			if !strings.Contains(res.stdout, "\nrevision:  ") || !strings.Contains(res.stdout, "\ngo:        go1.") {
				t.Errorf("no revision or go line:\n%s", res.stdout)
			}
			// Go records the revision only when it builds in a Git
			// checkout whose .git is a folder (not in a git worktree).
			if strings.Contains(res.stdout, "revision:  unknown") {
				t.Logf("the test binary has no VCS information:\n%s", res.stdout)
			} else if head != "" && !strings.Contains(res.stdout, "revision:  "+head) {
				t.Errorf("revision is not HEAD %s:\n%s", head, res.stdout)
			}
		})
	}
}
