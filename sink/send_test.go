package sink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestUpdateBatchOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		file       string
		idProperty string
		ids        []string
		want       []string
	}{
		{"200 observed", 200, "200_observed.json", "", []string{"171591000198"}, []string{"applied"}},
		{"200 shuffled without trace echo", 200, "200_shuffled.json", "", []string{"1001", "01002", "1003"},
			[]string{"applied", "applied", "applied"}},
		{"200 shuffled with trace echo", 200, "200_shuffled_trace.json", "", []string{"1001", "1002", "1003"},
			[]string{"applied", "applied", "applied"}},
		{"200 results naming ids never sent", 200, "200_ids_never_sent.json", "", []string{"1001", "1002", "1003"},
			[]string{"unknown", "unknown", "unknown"}},
		{"200 input missing", 200, "200_missing_input.json", "", []string{"1001", "1002", "1003"},
			[]string{"applied", "unknown", "applied"}},
		{"200 status PROCESSING", 200, "200_status_processing.json", "", []string{"1001", "1002"},
			[]string{"unknown", "unknown"}},
		{"200 empty results", 200, "200_empty_results.json", "", []string{"1001", "1002"},
			[]string{"unknown", "unknown"}},
		{"207 OBJECT_NOT_FOUND numeric id", 207, "207_object_not_found_numeric.json", "", []string{"171591000200", "171591000199"},
			[]string{"failed:OBJECT_NOT_FOUND", "applied"}},
		{"207 OBJECT_NOT_FOUND empty id", 207, "207_object_not_found_blank_id.json", "", []string{"not-a-number", "171591000199"},
			[]string{"failed:OBJECT_NOT_FOUND", "applied"}},
		{"207 empty ids fewer than unaccounted inputs", 207, "207_blank_ids_ambiguous.json", "", []string{"171591000199", "abc", "def"},
			[]string{"applied", "unknown", "unknown"}},
		{"207 trace id in error context", 207, "207_trace_in_error_context.json", "", []string{"1001", "1002"},
			[]string{"applied", "failed:OBJECT_NOT_FOUND"}},
		{"idProperty echoed in properties", 200, "200_idproperty_echoed.json", "ext_id", []string{"EXT-1", "EXT-2", "EXT-3"},
			[]string{"applied", "applied", "applied"}},
		{"idProperty not echoed, counts match", 200, "200_idproperty_not_echoed.json", "ext_id", []string{"EXT-1", "EXT-2", "EXT-3"},
			[]string{"applied", "applied", "applied"}},
		{"idProperty not echoed, one result short", 200, "200_idproperty_not_echoed_short.json", "ext_id", []string{"EXT-1", "EXT-2", "EXT-3"},
			[]string{"unknown", "unknown", "unknown"}},
		{"idProperty internal ids never match sent values", 200, "200_idproperty_not_echoed_short.json", "ext_id", []string{"5001", "5003", "5002"},
			[]string{"unknown", "unknown", "unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := readFixture(t, tt.file)
			var sent sentBatch
			c := newTestClient(t, Config{IDProperty: tt.idProperty}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sent = checkRequest(t, r)
				w.Header().Set("X-HubSpot-Correlation-Id", "corr-1")
				w.WriteHeader(tt.status)
				_, _ = w.Write(body)
			}))
			res, err := c.UpdateBatch(context.Background(), inputsFor(tt.ids...))
			if err != nil {
				t.Fatalf("UpdateBatch: %v", err)
			}
			if diff := cmp.Diff(tt.want, outcomes(res.Items)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if res.StatusCode != tt.status || res.CorrelationID != "corr-1" {
				t.Errorf("status, correlation id = %d, %q", res.StatusCode, res.CorrelationID)
			}
			if len(sent.Inputs) != len(tt.ids) {
				t.Fatalf("server got %d inputs, want %d", len(sent.Inputs), len(tt.ids))
			}
			for i, in := range sent.Inputs {
				want := fmt.Sprintf("hs-test-%06d", i+1)
				if in.ID != tt.ids[i] || in.TraceID != want || in.IDProperty != tt.idProperty ||
					in.Properties["hs_communication_body"] != "body of "+tt.ids[i] {
					t.Errorf("input %d sent as %+v", i, in)
				}
			}
		})
	}
}

func TestUpdateBatchFailedItemMessage(t *testing.T) {
	c := newTestClient(t, Config{}, fixtureHandler(t, 207, "207_object_not_found_blank_id.json", nil))
	res, err := c.UpdateBatch(context.Background(), inputsFor("171591000199", "EXT-77"))
	if err != nil {
		t.Fatal(err)
	}
	want := ItemResult{Outcome: Failed, Code: "OBJECT_NOT_FOUND",
		Message: "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid."}
	if diff := cmp.Diff(want, res.Items[1]); diff != "" {
		t.Errorf("item (-want +got):\n%s", diff)
	}
	if a, f, u := res.Counts(); a != 1 || f != 1 || u != 0 {
		t.Errorf("Counts = %d, %d, %d", a, f, u)
	}
}

func TestUpdateBatchFailures(t *testing.T) {
	hijack := func(raw string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("hijack: %v", err)
				return
			}
			_, _ = buf.WriteString(raw)
			_ = buf.Flush()
			_ = conn.Close()
		}
	}
	// blockUntilDone answers nothing until the client goes away.
	blockUntilDone := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices a closed connection only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	ok200 := string(readFixture(t, "200_shuffled.json"))
	tests := []struct {
		name       string
		handler    func(cancel context.CancelFunc) http.Handler
		httpClient *http.Client
		timeout    time.Duration // caller's deadline, if any
		inputs     []Input
		want       Class
		wantIs     error
	}{
		{name: "dropped connection", want: ClassRetry,
			handler: func(context.CancelFunc) http.Handler { return hijack("") }},
		{name: "cut-short 200 body", want: ClassRetry, wantIs: ErrUnreadableResponse,
			handler: func(context.CancelFunc) http.Handler {
				return hijack("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n" + ok200[:100])
			}},
		{name: "truncated 200 JSON", want: ClassRetry, wantIs: ErrUnreadableResponse,
			handler: func(context.CancelFunc) http.Handler { return fixtureHandler(t, 200, "200_truncated.json", nil) }},
		{name: "200 with HTML body", want: ClassRetry, wantIs: ErrUnreadableResponse,
			handler: func(context.CancelFunc) http.Handler { return fixtureHandler(t, 200, "200_html.html", nil) }},
		{name: "per-request timeout", want: ClassRetry, httpClient: &http.Client{Timeout: 100 * time.Millisecond},
			handler: func(context.CancelFunc) http.Handler { return blockUntilDone }},
		{name: "caller cancels", want: ClassFatal, wantIs: context.Canceled,
			handler: func(cancel context.CancelFunc) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					cancel()
					blockUntilDone(w, r)
				})
			}},
		{name: "caller deadline", want: ClassFatal, wantIs: context.DeadlineExceeded, timeout: 100 * time.Millisecond,
			handler: func(context.CancelFunc) http.Handler { return blockUntilDone }},
		{name: "empty batch", want: ClassFatal, wantIs: ErrInvalidBatch, inputs: []Input{},
			handler: func(context.CancelFunc) http.Handler { return fixtureHandler(t, 200, "200_shuffled.json", nil) }},
		{name: "too many inputs", want: ClassFatal, wantIs: ErrInvalidBatch, inputs: make([]Input, MaxBatchInputs+1),
			handler: func(context.CancelFunc) http.Handler { return fixtureHandler(t, 200, "200_shuffled.json", nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.timeout > 0 {
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			c := newTestClient(t, Config{HTTPClient: tt.httpClient}, tt.handler(cancel))
			inputs := tt.inputs
			if inputs == nil {
				inputs = inputsFor("1001", "1002", "1003")
			}
			res, err := c.UpdateBatch(ctx, inputs)
			if err == nil {
				t.Fatalf("UpdateBatch = %+v, want an error", res)
			}
			if got := Classify(err); got != tt.want {
				t.Errorf("Classify(%v) = %v, want %v", err, got, tt.want)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}

func TestUpdateBatchConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	c, err := New(Config{BaseURL: base, Token: testToken, ObjectType: "0-18"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateBatch(context.Background(), inputsFor("1"))
	if got := Classify(err); got != ClassRetry {
		t.Errorf("Classify(%v) = %v, want retry", err, got)
	}
}

func TestUpdateBatchCallerContextDoneBeforeSend(t *testing.T) {
	called := false
	c := newTestClient(t, Config{}, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.UpdateBatch(ctx, inputsFor("1"))
	if Classify(err) != ClassFatal || !errors.Is(err, context.Canceled) || called {
		t.Errorf("err = %v (class %v), request sent: %v", err, Classify(err), called)
	}
}

// TestUpdateBatchConcurrent sends from many goroutines against a server that
// answers in reverse order, echoing trace ids: every input must come back
// Applied and every trace id must be unique.
func TestUpdateBatchConcurrent(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]bool{}
	c := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent := checkRequest(t, r)
		var results []map[string]string
		for i := len(sent.Inputs) - 1; i >= 0; i-- {
			in := sent.Inputs[i]
			mu.Lock()
			if seen[in.TraceID] {
				t.Errorf("trace id %s sent twice", in.TraceID)
			}
			seen[in.TraceID] = true
			mu.Unlock()
			// No usable id: only the trace id can match.
			results = append(results, map[string]string{"id": "", "objectWriteTraceId": in.TraceID})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "COMPLETE", "results": results})
	}))
	const workers, batches = 16, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for b := range batches {
				ids := []string{fmt.Sprint(w, b, 1), fmt.Sprint(w, b, 2), fmt.Sprint(w, b, 3)}
				res, err := c.UpdateBatch(context.Background(), inputsFor(ids...))
				if err != nil {
					t.Errorf("UpdateBatch: %v", err)
					return
				}
				if diff := cmp.Diff([]string{"applied", "applied", "applied"}, outcomes(res.Items)); diff != "" {
					t.Errorf("outcomes (-want +got):\n%s", diff)
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != workers*batches*3 {
		t.Errorf("saw %d trace ids, want %d", len(seen), workers*batches*3)
	}
}

// TestUpdateBatchBodyOutlivesTheAnswer: a RoundTripper may return the
// response before it has read the request body, and read it later from
// another goroutine (net/http's does when a server answers early). The
// body's buffer must not go back to the pool, and be encoded over by the
// next request, until the transport reports the request written: here
// every body is read only after both requests have returned, and each must
// still be its own batch.
func TestUpdateBatchBodyOutlivesTheAnswer(t *testing.T) {
	rt := &lateReader{release: make(chan struct{}), bodies: make(chan string, 64)}
	c, err := New(Config{BaseURL: "https://api.hubapi.com", Token: testToken, ObjectType: "0-18",
		HTTPClient: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 10
	for r := range rounds {
		for _, name := range []string{"A", "B"} {
			_, err := c.UpdateBatch(context.Background(), inputsFor(fmt.Sprintf("%s%d-1", name, r), fmt.Sprintf("%s%d-2", name, r)))
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
				t.Fatalf("round %d, request %s: %v, want the 400", r, name, err)
			}
		}
	}
	close(rt.release)
	for range 2 * rounds {
		b := <-rt.bodies
		var sent sentBatch
		if err := json.Unmarshal([]byte(b), &sent); err != nil || len(sent.Inputs) != 2 {
			t.Fatalf("body %q: %v", b, err)
		}
		if a, b := sent.Inputs[0].ID, sent.Inputs[1].ID; strings.TrimSuffix(a, "-1") != strings.TrimSuffix(b, "-2") {
			t.Errorf("a body holds inputs %s and %s: it was encoded over while the transport still read it", a, b)
		}
	}
}

// lateReader answers 400 at once and reads each request body only once
// release is closed, then reports the request written, as net/http's
// transport does once it no longer reads a body.
type lateReader struct {
	release chan struct{}
	bodies  chan string
}

func (rt *lateReader) RoundTrip(req *http.Request) (*http.Response, error) {
	trace := httptrace.ContextClientTrace(req.Context())
	go func() {
		<-rt.release
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if trace != nil && trace.WroteRequest != nil {
			trace.WroteRequest(httptrace.WroteRequestInfo{Err: err})
		}
		rt.bodies <- string(b)
	}()
	msg := `{"status":"error","message":"no","category":"VALIDATION_ERROR"}`
	return &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(msg)), ContentLength: int64(len(msg)), Request: req}, nil
}
