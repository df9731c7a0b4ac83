package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a bytes.Buffer safe for the logger's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRunEmulatorServes(t *testing.T) {
	const token = "pat-secret-emulator-token"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- runEmulator(ctx, []string{"--addr", "127.0.0.1:0", "--token", token, "--rate", "5/1s", "--seed-ids", "10"}, pw, &stderr, noEnv)
		pw.Close()
	}()
	br := bufio.NewReader(pr)
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("read first line: %v (stderr %s)", err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, br) }()
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q", line)
	}

	req, _ := http.NewRequest(http.MethodPost, url+"/crm/v3/objects/communications/batch/update",
		strings.NewReader(`{"inputs":[{"id":"1","properties":{"hs_communication_body":"hi"}}]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-HubSpot-RateLimit-Max") != "5" {
		t.Errorf("status %d, Max %q", resp.StatusCode, resp.Header.Get("X-HubSpot-RateLimit-Max"))
	}

	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit code %d, stderr %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), token) || strings.Contains(line, token) {
		t.Error("the token was printed")
	}
}

// noEnv is an empty environment.
func noEnv(string) string { return "" }

func TestRunEmulatorUsage(t *testing.T) {
	tokenFile := t.TempDir() + "/token"
	if err := writeFile(tokenFile, "pat-local\n"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
		stdout string
	}{
		{"help", []string{"--help"}, 0, "", "Usage: hubsync emulator"},
		{"unknown flag", []string{"--bogus"}, 2, "unknown flag: --bogus", ""},
		{"bad rate", []string{"--rate", "10"}, 2, "want N/DURATION", ""},
		{"bad order", []string{"--result-order", "random"}, 2, "--result-order", ""},
		{"faults over one", []string{"--fault-500", "0.7", "--fault-drop", "0.7"}, 2, "sum to", ""},
		{"missing schema", []string{"--schema", "/nonexistent/schema.json"}, 2, "open schema", ""},
		{"bad unique format", []string{"--unique-format", "EXT"}, 2, "integer verb", ""},
		{"positional argument", []string{"extra"}, 2, "unexpected arguments", ""},
		{"cannot listen", []string{"--addr", "127.0.0.1:99999"}, 1, "start emulator", ""},
		{"every interface", []string{"--addr", ":0"}, 2, "--addr :0 listens on every network interface, so other machines could reach the emulator: use a loopback address such as 127.0.0.1:0, or pass --allow-remote", ""},
		{"every IPv4 interface", []string{"--addr", "0.0.0.0:8080"}, 2, "listens on every network interface", ""},
		{"every IPv6 interface", []string{"--addr", "[::]:8080"}, 2, "listens on every network interface", ""},
		{"a host name", []string{"--addr", "example.com:8080"}, 2, "address example.com, which is not on loopback", ""},
		{"a LAN address", []string{"--addr", "192.168.1.10:8080"}, 2, "--allow-remote", ""},
		{"no port", []string{"--addr", "8080"}, 2, "want HOST:PORT", ""},
		{"token and token file", []string{"--token", "a", "--token-file", tokenFile}, 2, "not both", ""},
		{"token file is a device", []string{"--token-file", "/dev/zero"}, 2, "not a regular file", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var stdout, stderr lockedBuffer
			code := runEmulator(ctx, tc.args, &stdout, &stderr, func(string) string { return "pat-production" })
			if code != tc.code {
				t.Errorf("code %d, want %d; stderr %s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.stderr) || !strings.Contains(stdout.String(), tc.stdout) {
				t.Errorf("stdout %q\nstderr %q", stdout.String(), stderr.String())
			}
		})
	}
}

// TestRunEmulatorTokens checks which token the emulator accepts: the one
// given by flag or file, else a generated one it prints; never the one in
// $HUBSPOT_ACCESS_TOKEN. It also checks the address it prints.
func TestRunEmulatorTokens(t *testing.T) {
	tokenFile := t.TempDir() + "/token"
	if err := writeFile(tokenFile, "pat-from-file\n"); err != nil {
		t.Fatal(err)
	}
	const production = "pat-na1-production-token"
	tests := []struct {
		name      string
		args      []string
		accepts   string // "" for the generated token printed on stdout
		listening string // prefix of the first line
	}{
		{"generated", []string{"--addr", "127.0.0.1:0"}, "", "listening on http://127.0.0.1:"},
		{"flag", []string{"--addr", "127.0.0.1:0", "--token", "pat-flag"}, "pat-flag", "listening on http://127.0.0.1:"},
		{"file", []string{"--addr", "127.0.0.1:0", "--token-file", tokenFile}, "pat-from-file", "listening on http://127.0.0.1:"},
		{"localhost", []string{"--addr", "localhost:0", "--token", "pat-flag"}, "pat-flag", "listening on http://localhost:"},
		{"every interface allowed", []string{"--addr", ":0", "--allow-remote", "--token", "pat-flag"}, "pat-flag", "listening on http://0.0.0.0:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			var stderr lockedBuffer
			done := make(chan int, 1)
			go func() {
				done <- runEmulator(ctx, tt.args, pw, &stderr, func(k string) string {
					if k == "HUBSPOT_ACCESS_TOKEN" {
						return production
					}
					return ""
				})
				pw.Close()
			}()
			br := bufio.NewReader(pr)
			first, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("read first line: %v (stderr %s)", err, stderr.String())
			}
			if !strings.HasPrefix(first, tt.listening) {
				t.Errorf("first line %q, want it to start with %q", first, tt.listening)
			}
			url := "http://127.0.0.1:" + strings.TrimPrefix(strings.TrimSpace(first), tt.listening)
			token := tt.accepts
			if token == "" {
				second, err := br.ReadString('\n')
				if err != nil {
					t.Fatalf("read second line: %v", err)
				}
				var ok bool
				if token, ok = strings.CutPrefix(strings.TrimSpace(second), "token "); !ok || len(token) < 20 {
					t.Fatalf("second line %q, want the generated token", second)
				}
			}
			go func() { _, _ = io.Copy(io.Discard, br) }()
			for tok, want := range map[string]int{token: 200, production: 401} {
				req, _ := http.NewRequest(http.MethodGet, url+"/crm/v3/properties/communications", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf("token %q: status %d, want %d", tok, resp.StatusCode, want)
				}
			}
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("exit code %d, stderr %s", code, stderr.String())
			}
			if remote := slices.Contains(tt.args, "--allow-remote"); remote != strings.Contains(stderr.String(), "can be reached from other machines") {
				t.Errorf("warned of other machines: %v, want %v:\n%s", !remote, remote, stderr.String())
			}
			if tt.accepts == "" && !strings.Contains(stderr.String(), "HUBSPOT_ACCESS_TOKEN is set but not used") {
				t.Errorf("no word that $HUBSPOT_ACCESS_TOKEN is ignored:\n%s", stderr.String())
			}
			if strings.Contains(stderr.String(), token) || strings.Contains(stderr.String(), production) {
				t.Errorf("a token was logged:\n%s", stderr.String())
			}
		})
	}
}
