package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawPost sends a batch with its own client and returns the response with
// its body read, or the transport or read error.
func rawPost(ctx context.Context, base, body string) (status int, ctype string, b []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/crm/v3/objects/communications/batch/update", strings.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err = io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b, err
}

func TestStatusFaults(t *testing.T) {
	tests := []struct {
		name     string
		faults   Faults
		status   int
		ctype    string
		category string
	}{
		{"500", Faults{P500: 1}, 500, "application/json;charset=utf-8", "INTERNAL_ERROR"},
		{"502", Faults{P502: 1}, 502, "text/html", ""},
		{"503", Faults{P503: 1}, 503, "text/html", ""},
		{"504", Faults{P504: 1}, 504, "text/html", ""},
		{"423", Faults{P423: 1}, 423, "application/json;charset=utf-8", "LOCKED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, base := startServer(t, Config{SeedIDs: 10, Faults: tc.faults})
			r := postBatch(t, base, "communications", oneInput)
			wantStatus(t, r, tc.status)
			if got := r.header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("Content-Type = %q", got)
			}
			if r.header.Get("X-HubSpot-Correlation-Id") == "" {
				t.Error("no correlation id header")
			}
			if tc.category != "" {
				if e := decodeErr(t, r); category(e) != tc.category {
					t.Errorf("category = %s", category(e))
				}
			} else if !strings.Contains(string(r.body), fmt.Sprint(tc.status)) {
				t.Errorf("HTML body %q", r.body)
			}
			if n := s.WriteCount("communications", "1"); n != 0 {
				t.Errorf("WriteCount = %d: a status fault must not apply the batch", n)
			}
			r = do(t, http.MethodPost, base+"/crm/v3/objects/communications/batch/update", oneInput, map[string]string{"Authorization": ""})
			wantStatus(t, r, 401) // faults come after authentication
			if st := s.Stats(); st.ByStatus[tc.status] != 1 || st.ByStatus[401] != 1 {
				t.Errorf("ByStatus = %v", st.ByStatus)
			}
		})
	}
}

func TestDropFault(t *testing.T) {
	const n = 40
	s, base := startServer(t, Config{SeedIDs: n, Faults: Faults{PDrop: 1}, Seed: 3})
	for i := 1; i <= n; i++ {
		_, _, _, err := rawPost(context.Background(), base, batchOf(input(itoa(i), "hs_communication_body", "x")))
		if err == nil {
			t.Fatalf("request %d: got an answer from a dropped connection", i)
		}
	}
	applied := len(s.Records("communications"))
	if applied == 0 || applied == n {
		t.Errorf("%d of %d dropped batches applied, want some but not all (50/50)", applied, n)
	}
	st := s.Stats()
	if st.ByStatus[0] != n || st.RecordsApplied != applied {
		t.Errorf("Stats = %+v", st)
	}
}

func TestTruncateFault(t *testing.T) {
	s, base := startServer(t, Config{SeedIDs: 10, Faults: Faults{PTruncate: 1}})
	status, _, body, err := rawPost(context.Background(), base, oneInput)
	if status != 200 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("status %d, err %v, want 200 and unexpected EOF", status, err)
	}
	if len(body) == 0 {
		t.Error("no partial body")
	}
	if n := s.WriteCount("communications", "1"); n != 1 {
		t.Errorf("WriteCount = %d: a truncated answer follows an applied batch", n)
	}
}

func TestSlowFault(t *testing.T) {
	t.Run("answers after the delay", func(t *testing.T) {
		const delay = 150 * time.Millisecond
		s, base := startServer(t, Config{SeedIDs: 10, Faults: Faults{PSlow: 1, SlowDelay: delay}})
		start := time.Now()
		status, _, _, err := rawPost(context.Background(), base, oneInput)
		if err != nil || status != 200 {
			t.Fatalf("status %d, err %v", status, err)
		}
		if took := time.Since(start); took < delay {
			t.Errorf("answered after %v, want ≥ %v", took, delay)
		}
		if s.WriteCount("communications", "1") != 1 {
			t.Error("slow answer did not apply the batch")
		}
	})
	t.Run("client timeout ends the wait, batch applied", func(t *testing.T) {
		s, base := startServer(t, Config{SeedIDs: 10, Faults: Faults{PSlow: 1, SlowDelay: time.Hour}})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if _, _, _, err := rawPost(ctx, base, oneInput); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want deadline exceeded", err)
		}
		if s.WriteCount("communications", "1") != 1 {
			t.Error("batch not applied")
		}
	})
	t.Run("Close ends the wait", func(t *testing.T) {
		s, err := New(Config{Token: testToken, SeedIDs: 10, Faults: Faults{PSlow: 1, SlowDelay: time.Hour}})
		if err != nil {
			t.Fatal(err)
		}
		base, err := s.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, _, _, err := rawPost(context.Background(), base, oneInput)
			done <- err
		}()
		for s.WriteCount("communications", "1") == 0 { // wait until the handler is in its slow wait
			time.Sleep(time.Millisecond)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("in-flight slow request: %v, want its answer", err)
		}
	})
}

func TestFaultDrawIsSeeded(t *testing.T) {
	statuses := func(seed int64) string {
		_, base := startServer(t, Config{SeedIDs: 10, Seed: seed, Faults: Faults{P500: 0.3, P503: 0.3}})
		var out []string
		for i := 0; i < 30; i++ {
			out = append(out, itoa(postBatch(t, base, "communications", oneInput).status))
		}
		return strings.Join(out, ",")
	}
	a, b := statuses(42), statuses(42)
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	for _, want := range []string{"200", "500", "503"} {
		if !strings.Contains(a, want) {
			t.Errorf("no %s in %s", want, a)
		}
	}
}
