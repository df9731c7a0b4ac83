package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostileServer stands in for HubSpot, or a proxy in front of it: update
// answers batch/update, given the ids of the inputs sent, and properties,
// if not nil, the properties listing. It counts the records sent.
func hostileServer(t *testing.T, update func(w http.ResponseWriter, ids []string), properties http.HandlerFunc) (url string, sent *atomic.Int64) {
	t.Helper()
	var n atomic.Int64 // the handlers run on the server's goroutines
	mux := http.NewServeMux()
	mux.HandleFunc("POST /crm/v3/objects/communications/batch/update", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Inputs []struct {
				ID string `json:"id"`
			} `json:"inputs"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("decode request: %v", err)
		}
		var ids []string
		for _, in := range body.Inputs {
			ids = append(ids, in.ID)
		}
		n.Add(int64(len(ids)))
		update(w, ids)
	})
	if properties != nil {
		mux.HandleFunc("GET /crm/v3/properties/communications", properties)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// writeNumberedInput writes a CSV input of records 1..n into dir.
func writeNumberedInput(t *testing.T, dir string, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,hs_communication_body\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,body %d\n", i, i)
	}
	path := filepath.Join(dir, "calls.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestResultsNamingIDsNeverSent: a 200 COMPLETE whose results name ids
// that were never sent confirms nothing: every record is sent again on its
// own, then dead-lettered as UNKNOWN_OUTCOME, never counted applied. As
// none is applied, the run ends with status 6: every record failed.
func TestResultsNamingIDsNeverSent(t *testing.T) {
	url, sent := hostileServer(t, func(w http.ResponseWriter, _ []string) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"COMPLETE","results":[{"id":"9001"},{"id":"9002"},{"id":"9003"}]}`))
	}, nil)
	dir := t.TempDir()
	in := writeNumberedInput(t, dir, 3)
	res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--no-preflight",
		"--rate", "0", "--log-format", "json", in)
	if res.code != exitTooManyFailed {
		t.Fatalf("exit status %d, want %d\n%s", res.code, exitTooManyFailed, tail(res.stderr))
	}
	want := map[int64]string{2: "UNKNOWN_OUTCOME", 3: "UNKNOWN_OUTCOME", 4: "UNKNOWN_OUTCOME"}
	if diff := cmp.Diff(want, readDeadLetters(t, filepath.Join(dir, "calls.dead-letter.csv"))); diff != "" {
		t.Errorf("dead letters, line → code (-want +got):\n%s", diff)
	}
	if got := sent.Load(); got != 6 {
		t.Errorf("server got %d records, want 6: the batch, then each record once on its own", got)
	}
}

// echoes are the forms in which TestTokenEchoes echoes the token: as it
// is, JSON-, HTML- and URL-escaped, and cut one character short.
func echoes(tok string) []string {
	each := func(format string) string {
		var b strings.Builder
		for i := 0; i < len(tok); i++ {
			fmt.Fprintf(&b, format, tok[i])
		}
		return b.String()
	}
	return []string{tok, each(`\u%04x`), each("&#x%x;"), each("%%%02X"), tok[:len(tok)-1]}
}

// echo returns the i-th echo of the token, in a JSON string that also
// tries to retitle the user's terminal.
func echo(i int) string {
	e := echoes(testToken)
	b, _ := json.Marshal("Bearer " + e[i%len(e)] + "\x1b]0;owned\x07")
	return string(b)
}

// echoBody is an error body whose every field echoes the token; category,
// when not empty, is kept so that HubSpot's answer stays a rejection.
func echoBody(category string) string {
	cat := echo(0)
	if category != "" {
		cat = `"` + category + `"`
	}
	return fmt.Sprintf(`{"status":"error","message":%s,"category":%s,"subCategory":%s,"correlationId":%s,`+
		`"policyName":%s,"errorType":%s,"context":{%s:[%s]},`+
		`"errors":[{"message":%s,"code":%s,"in":%s,"subCategory":%s,"context":{"propertyName":[%s]}},`+
		`{"message":%s,"code":%s}]}`,
		echo(1), cat, echo(2), echo(3), echo(4), echo(0), echo(1), echo(2), echo(3), echo(4), echo(0), echo(1), echo(2), echo(3), echo(4))
}

// TestTokenEchoes runs hubsync against a server that echoes the token
// wherever it can: in every field of a properties error, of a 400
// rejection and of a 207's per-record errors, in a property's label and in
// the correlation id header. Neither the token nor a start of it may reach
// stderr, the dead-letter file, the checkpoint, the report or status.
func TestTokenEchoes(t *testing.T) {
	var calls atomic.Int64 // the handlers run on the server's goroutines
	// header sets the headers of an answer and returns its number, which
	// picks the echo forms it uses.
	header := func(w http.ResponseWriter) int {
		n := int(calls.Add(1))
		e := echoes(testToken)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-HubSpot-Correlation-Id", e[n%len(e)])
		return n
	}
	properties := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			n := header(w)
			w.WriteHeader(status)
			if status != http.StatusOK {
				_, _ = w.Write([]byte(echoBody("")))
				return
			}
			fmt.Fprintf(w, `{"results":[{"name":"hs_communication_body","label":%s,"type":"string","fieldType":"textarea"}]}`, echo(n))
		}
	}
	// Record 1 is rejected in its batch and on its own; record 4 fails
	// in a 207 next to record 3.
	update := func(w http.ResponseWriter, ids []string) {
		n := header(w)
		switch {
		case slices.Contains(ids, "1"):
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(echoBody("VALIDATION_ERROR")))
		case slices.Contains(ids, "4"):
			w.WriteHeader(http.StatusMultiStatus)
			fmt.Fprintf(w, `{"status":"COMPLETE","results":[{"id":"3"}],"errors":[{"category":%s,"message":%s,"context":{"ids":["4"]}}]}`,
				echo(n), echo(n+1))
		default:
			var results []string
			for _, id := range ids {
				results = append(results, `{"id":"`+id+`"}`)
			}
			fmt.Fprintf(w, `{"status":"COMPLETE","results":[%s]}`, strings.Join(results, ","))
		}
	}
	tests := []struct {
		name       string
		properties int
		wantCode   int
		wantDead   int
	}{
		{name: "properties refused", properties: http.StatusForbidden, wantCode: exitFatal},
		{name: "records rejected", properties: http.StatusOK, wantCode: exitDeadLetters, wantDead: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, _ := hostileServer(t, update, properties(tt.properties))
			dir := t.TempDir()
			in := writeNumberedInput(t, dir, 4)
			report := filepath.Join(dir, "report.json")
			res := runHubsync(t, "sync", "--base-url", url, "--object", "communications", "--batch-size", "2",
				"--rate", "0", "--log-format", "json", "--log-level", "debug", "--report", report, in)
			if res.code != tt.wantCode {
				t.Fatalf("exit status %d, want %d\n%s", res.code, tt.wantCode, tail(res.stderr))
			}
			outputs := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
			for _, name := range []string{"calls.dead-letter.csv", "calls.csv.checkpoint.json", "report.json"} {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				outputs[name] = string(b)
			}
			if tt.wantDead > 0 {
				if got := len(readDeadLetters(t, filepath.Join(dir, "calls.dead-letter.csv"))); got != tt.wantDead {
					t.Errorf("%d records dead-lettered, want %d", got, tt.wantDead)
				}
				st := runHubsync(t, "status", filepath.Join(dir, "calls.csv.checkpoint.json"))
				outputs["status"] = st.stdout + st.stderr
			}
			for name, out := range outputs {
				for _, leak := range append(echoes(testToken), testToken[:6], "\x1b", "\x07", `\u001b`, `\u0007`) {
					if strings.Contains(out, leak) {
						t.Errorf("%s holds %q:\n%s", name, leak, out)
					}
				}
			}
		})
	}
}
