package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEmulatorCommandRefusesEveryInterface runs "hubsync emulator --addr
// :0", which would listen on every interface: without --allow-remote it
// must refuse, saying why.
func TestEmulatorCommandRefusesEveryInterface(t *testing.T) {
	res, _ := runLimited(t, 20*time.Second, nil, "emulator", "--addr", ":0", "--token", "pat-local")
	if res.code != exitUsage {
		t.Fatalf("exit status %d, want %d; stdout %q; stderr:\n%s", res.code, exitUsage, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stderr, "listens on every network interface") || !strings.Contains(res.stderr, "--allow-remote") {
		t.Errorf("stderr does not say why:\n%s", res.stderr)
	}
	if strings.Contains(res.stdout, "listening") {
		t.Errorf("it listened: %q", res.stdout)
	}
}

// TestEmulatorCommandIgnoresEnvironmentToken starts "hubsync emulator"
// without a token flag while $HUBSPOT_ACCESS_TOKEN holds a (production)
// token: the emulator must not accept that token, and a sync with the
// token it printed must work.
func TestEmulatorCommandIgnoresEnvironmentToken(t *testing.T) {
	cmd := exec.Command(hubsyncBin, "emulator", "--addr", "127.0.0.1:0", "--seed-ids", "10")
	cmd.Env = append(os.Environ(), "HUBSPOT_ACCESS_TOKEN="+testToken)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	got := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		var lines []string
		for len(lines) < 2 && sc.Scan() {
			lines = append(lines, sc.Text())
		}
		got <- lines
	}()
	var lines []string
	select {
	case lines = <-got:
	case <-time.After(10 * time.Second):
		t.Fatalf("no address and token on stdout after 10 s; stderr:\n%s", stderr.String())
	}
	if len(lines) < 2 {
		t.Fatalf("stdout %q; stderr:\n%s", lines, stderr.String())
	}
	url, ok1 := strings.CutPrefix(lines[0], "listening on ")
	token, ok2 := strings.CutPrefix(lines[1], "token ")
	if !ok1 || !ok2 || token == testToken {
		t.Fatalf("stdout %q, want the address and a generated token", lines)
	}
	input := filepath.Join(t.TempDir(), "in.csv")
	if err := writeFile(input, "id,hs_communication_body\n1,hello\n"); err != nil {
		t.Fatal(err)
	}
	args := []string{"sync", "--base-url", url, "--object", "communications", "--log-format", "json", input}
	if res := runHubsync(t, args...); res.code != exitFatal || !strings.Contains(res.stderr, "did not accept the access token") {
		t.Errorf("with $HUBSPOT_ACCESS_TOKEN: exit status %d, want %d and a 401; stderr:\n%s", res.code, exitFatal, tail(res.stderr))
	}
	res, _ := runLimited(t, 30*time.Second, []string{"HUBSPOT_ACCESS_TOKEN=" + token}, append(args[:len(args)-1], "--restart", input)...)
	if res.code != exitOK {
		t.Errorf("with the printed token: exit status %d; stderr:\n%s", res.code, tail(res.stderr))
	}
	waitFor(t, 5*time.Second, "the emulator's warning", func() bool {
		return strings.Contains(stderr.String(), "HUBSPOT_ACCESS_TOKEN is set but not used")
	})
}
