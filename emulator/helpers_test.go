package emulator

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

const testToken = "pat-na1-test"

// testClock is an injectable clock that only moves when told to.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2025, 11, 6, 5, 3, 12, 880_000_000, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startServer starts an emulator on a free loopback port with cfg (Token
// defaulted) and closes it when the test ends.
func startServer(t testing.TB, cfg Config) (*Server, string) {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, base
}

// response is a read answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with the test token unless header overrides
// Authorization, and reads the whole answer.
func do(t testing.TB, method, url, body string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// postBatch sends a batch update of objectType.
func postBatch(t testing.TB, base, objectType, body string) response {
	t.Helper()
	return do(t, http.MethodPost, base+"/crm/v3/objects/"+objectType+"/batch/update", body, nil)
}

// batchOf builds a body from input objects written as JSON.
func batchOf(inputs ...string) string {
	return `{"inputs":[` + strings.Join(inputs, ",") + `]}`
}

// errBody is the decoded shape of an error answer.
type errBody struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      *string             `json:"category"`
	Context       map[string][]string `json:"context"`
	Errors        []struct {
		Message string              `json:"message"`
		Code    string              `json:"code"`
		Context map[string][]string `json:"context"`
	} `json:"errors"`
	ErrorType  string `json:"errorType"`
	PolicyName string `json:"policyName"`
	GroupName  string `json:"groupName"`
}

func decodeErr(t testing.TB, r response) errBody {
	t.Helper()
	var e errBody
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("decode error body %q: %v", r.body, err)
	}
	if e.Status != "error" {
		t.Errorf("status field = %q, want error", e.Status)
	}
	if e.CorrelationID == "" || e.CorrelationID != r.header.Get("X-HubSpot-Correlation-Id") {
		t.Errorf("correlationId %q does not match header %q", e.CorrelationID, r.header.Get("X-HubSpot-Correlation-Id"))
	}
	return e
}

func category(e errBody) string {
	if e.Category == nil {
		return "<none>"
	}
	return *e.Category
}

// okBody is the decoded shape of a 200/207 answer.
type okBody struct {
	Status  string `json:"status"`
	Results []struct {
		ID                 string            `json:"id"`
		Properties         map[string]string `json:"properties"`
		CreatedAt          string            `json:"createdAt"`
		UpdatedAt          string            `json:"updatedAt"`
		Archived           *bool             `json:"archived"`
		ObjectWriteTraceID *string           `json:"objectWriteTraceId"`
	} `json:"results"`
	NumErrors int `json:"numErrors"`
	Errors    []struct {
		Status   string              `json:"status"`
		Category string              `json:"category"`
		Message  string              `json:"message"`
		Context  map[string][]string `json:"context"`
	} `json:"errors"`
	StartedAt   string `json:"startedAt"`
	CompletedAt string `json:"completedAt"`
}

func decodeOK(t testing.TB, r response) okBody {
	t.Helper()
	var b okBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("decode batch body %q: %v", r.body, err)
	}
	return b
}

func wantStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body %s", r.status, want, r.body)
	}
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// checkGolden compares an answer body, indented and with uuids masked, with
// testdata/golden/NAME.json; -update rewrites the file.
func checkGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		t.Fatalf("indent %q: %v", body, err)
	}
	got := uuidRE.ReplaceAll(buf.Bytes(), []byte("<uuid>"))
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("update golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// fixture reads testdata/NAME.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return string(b)
}

func itoa(n int) string { return fmt.Sprint(n) }
