package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/emulator"
	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
)

// portalClient is a client of the API at url with token.
func portalClient(t *testing.T, url, token string) *sink.Client {
	t.Helper()
	c, err := sink.New(sink.Config{BaseURL: url, Token: token, ObjectType: "communications"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFetchPortal(t *testing.T) {
	tests := []struct {
		name      string
		cfg       emulator.Config
		token     string
		fill      bool // use up the rolling window first, so the first ask gets a 429
		want      string
		wantClass sink.Class // of the error, ClassNone for success
		wantAsks  int        // account requests the emulator saw (at least, with fill)
	}{
		{"portal id", emulator.Config{PortalID: 12345678}, testToken, false, "12345678", sink.ClassNone, 1},
		{"configured portal", emulator.Config{PortalID: 987654321}, testToken, false, "987654321", sink.ClassNone, 1},
		{"beyond int32", emulator.Config{PortalID: 1 << 40}, testToken, false, "1099511627776", sink.ClassNone, 1},
		{"429 waited out", emulator.Config{Rate: 1, Window: time.Second, SeedIDs: 10, PortalID: 12345678}, testToken, true, "12345678", sink.ClassNone, 2},
		{"401 not retried", emulator.Config{}, "pat-wrong", false, "", sink.ClassFatal, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startEmulator(t, tt.cfg)
			if tt.fill {
				fillWindow(t, url)
			}
			got, err := fetchPortal(context.Background(), portalClient(t, url, tt.token), pipeline.NewLimiter(0, 0), zap.NewNop())
			if c := sink.Classify(err); c != tt.wantClass {
				t.Fatalf("fetchPortal = %q, %v (class %v), want class %v", got, err, c, tt.wantClass)
			}
			if got != tt.want {
				t.Errorf("fetchPortal = %q, want %q", got, tt.want)
			}
			// A 429's backoff is random: it may be met more than once.
			if n := srv.Stats().AccountRequests; n != tt.wantAsks && !(tt.fill && n > tt.wantAsks) {
				t.Errorf("account requests = %d, want %d", n, tt.wantAsks)
			}
		})
	}
}

// fillWindow sends one batch update, which fills a window of one request.
func fillWindow(t *testing.T, url string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/crm/v3/objects/communications/batch/update",
		strings.NewReader(`{"inputs":[{"id":"1","properties":{"hs_communication_body":"hi"}}]}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("batch update: status %d", resp.StatusCode)
	}
}

// A transient failure is retried (the emulator injects faults into batch
// updates only, hence httptest); a body without a portal id never becomes
// one, and is not asked again.
func TestFetchPortalRetriesAndRefusesNoPortal(t *testing.T) {
	tests := []struct {
		name     string
		answers  []string // status:body, one per request; the last repeats
		want     string
		wantErr  error
		wantAsks int
	}{
		{"503 then 200", []string{"503:", `200:{"portalId":42}`}, "42", nil, 2},
		{"no portalId, not retried", []string{`200:{"timeZone":"UTC"}`}, "", sink.ErrNoPortalID, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asks atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := min(int(asks.Add(1)), len(tt.answers)) - 1
				status, body, _ := strings.Cut(tt.answers[i], ":")
				code := map[string]int{"200": 200, "503": 503}[status]
				w.WriteHeader(code)
				_, _ = io.WriteString(w, body)
			}))
			defer ts.Close()
			got, err := fetchPortal(context.Background(), portalClient(t, ts.URL, testToken), pipeline.NewLimiter(0, 0), zap.NewNop())
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("fetchPortal = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
			if n := int(asks.Load()); n != tt.wantAsks {
				t.Errorf("requests = %d, want %d", n, tt.wantAsks)
			}
		})
	}
}

// "hubsync emulator --portal-id N" answers N; a portal id that is not
// positive is a usage error.
func TestRunEmulatorPortalID(t *testing.T) {
	for _, bad := range []string{"0", "-3", "x"} {
		var stdout, stderr lockedBuffer
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if code := runEmulator(ctx, []string{"--portal-id", bad}, &stdout, &stderr, noEnv); code != exitUsage {
			t.Errorf("--portal-id %s: exit %d, want %d; stderr %s", bad, code, exitUsage, stderr.String())
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- runEmulator(ctx, []string{"--addr", "127.0.0.1:0", "--token", testToken, "--portal-id", "777"}, pw, &stderr, noEnv)
		pw.Close()
	}()
	br := bufio.NewReader(pr)
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("read first line: %v (stderr %s)", err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, br) }()
	url, _ := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	got, err := fetchPortal(ctx, portalClient(t, url, testToken), pipeline.NewLimiter(0, 0), zap.NewNop())
	if err != nil || got != "777" {
		t.Errorf("fetchPortal = %q, %v; want 777", got, err)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d, stderr %s", code, stderr.String())
	}
}
