package sink

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

const testToken = "pat-na1-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"

// sentBatch is a batch/update request as the test server decodes it.
type sentBatch struct {
	Inputs []struct {
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
		IDProperty string            `json:"idProperty"`
		TraceID    string            `json:"objectWriteTraceId"`
	} `json:"inputs"`
}

// newTestClient starts h on an httptest server and returns a client for it
// whose trace ids are predictable: hs-test-000001, hs-test-000002, …
func newTestClient(t *testing.T, cfg Config, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL
	cfg.Token = testToken
	if cfg.ObjectType == "" {
		cfg.ObjectType = "0-18"
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.trace = &tracer{prefix: "hs-test"}
	return c
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	if name == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureHandler checks the request and answers with status, header and the
// fixture file.
func fixtureHandler(t *testing.T, status int, file string, header map[string]string) http.HandlerFunc {
	body := readFixture(t, file)
	return func(w http.ResponseWriter, r *http.Request) {
		checkRequest(t, r)
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// checkRequest verifies method, path, headers and body shape; it returns
// the decoded body.
func checkRequest(t *testing.T, r *http.Request) sentBatch {
	var got sentBatch
	if r.Method != http.MethodPost || r.URL.EscapedPath() != "/crm/v3/objects/0-18/batch/update" {
		t.Errorf("request %s %s, want POST /crm/v3/objects/0-18/batch/update", r.Method, r.URL.EscapedPath())
	}
	if a := r.Header.Get("Authorization"); a != "Bearer "+testToken {
		t.Errorf("Authorization header = %q", a)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
		t.Errorf("decode request body: %v", err)
	}
	return got
}

func inputsFor(ids ...string) []Input {
	in := make([]Input, len(ids))
	for i, id := range ids {
		in[i] = Input{ID: id, Props: []PropertyValue{
			{Name: "hs_communication_body", Value: "body of " + id},
			{Name: "hs_timestamp", Value: "2024-05-01T10:00:00Z"},
		}}
	}
	return in
}

// outcomes renders items as "applied", "unknown" or "failed:<code>".
func outcomes(items []ItemResult) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Outcome.String()
		if it.Outcome == Failed {
			out[i] += ":" + it.Code
		}
	}
	return out
}
