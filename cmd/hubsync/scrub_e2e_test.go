package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostileServer stands in for HubSpot, or a proxy in front of it, that
// answers batch/update and the properties listing with whatever update
// and properties write. It counts the records sent.
func hostileServer(t *testing.T, update, properties http.HandlerFunc) (url string, sent *int) {
	t.Helper()
	n := 0
	mux := http.NewServeMux()
	mux.HandleFunc("POST /crm/v3/objects/communications/batch/update", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Inputs []json.RawMessage `json:"inputs"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("decode request: %v", err)
		}
		n += len(body.Inputs)
		update(w, r)
	})
	if properties != nil {
		mux.HandleFunc("GET /crm/v3/properties/communications", properties)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// TestResultsNamingIDsNeverSent: a 200 COMPLETE whose results name ids
// that were never sent confirms nothing: every record is sent again on its
// own, then dead-lettered as UNKNOWN_OUTCOME, never counted applied.
func TestResultsNamingIDsNeverSent(t *testing.T) {
	url, sent := hostileServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"COMPLETE","results":[{"id":"9001"},{"id":"9002"},{"id":"9003"}]}`))
	}, nil)
	dir := t.TempDir()
	in := filepath.Join(dir, "calls.csv")
	if err := os.WriteFile(in, []byte("id,hs_communication_body\n1,a\n2,b\n3,c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--no-preflight",
		"--rate", "0", "--log-format", "json", in)
	if res.code != exitDeadLetters {
		t.Fatalf("exit status %d, want %d\n%s", res.code, exitDeadLetters, tail(res.stderr))
	}
	want := map[int64]string{2: "UNKNOWN_OUTCOME", 3: "UNKNOWN_OUTCOME", 4: "UNKNOWN_OUTCOME"}
	if diff := cmp.Diff(want, readDeadLetters(t, filepath.Join(dir, "calls.dead-letter.csv"))); diff != "" {
		t.Errorf("dead letters, line → code (-want +got):\n%s", diff)
	}
	if *sent != 6 {
		t.Errorf("server got %d records, want 6: the batch, then each record once on its own", *sent)
	}
}
