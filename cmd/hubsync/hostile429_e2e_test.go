package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubsync/hubsync/emulator"
)

// TestHugeRateLimitWindow puts a server in front of the emulator that
// answers the first batch request 429 announcing a window of 100,000,000,000
// ms (115 days). hubsync must take it for HubSpot's longest window (10 s),
// go on and finish, not wait out the 115 days.
func TestHugeRateLimitWindow(t *testing.T) {
	srv, emuURL := startEmulator(t, emulator.Config{SeedIDs: 300})
	target, err := url.Parse(emuURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var answered atomic.Bool
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/batch/update") && answered.CompareAndSwap(false, true) {
			h := w.Header()
			h.Set("Content-Type", "application/json")
			h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", "100000000000")
			h.Set("X-HubSpot-RateLimit-Max", "10")
			h.Set("X-HubSpot-RateLimit-Remaining", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","policyName":"SECONDLY"}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(hostile.Close)

	ds := generate(t, t.TempDir(), "calls.csv", genOptions{rows: 300, seedIDs: 300, unique: true, seed: 4})
	cmd, errb := startSync(t, "sync", "--base-url", hostile.URL, "--object", "communications", "--rate", "10/1s",
		"--log-format", "json", ds.path)
	start := time.Now()
	exited := make(chan int, 1)
	go func() { exited <- exitStatus(cmd.Wait()) }()
	select {
	case status := <-exited:
		if status != exitOK {
			t.Fatalf("exit status %d, want %d\n%s", status, exitOK, tail(errb.String()))
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("still running after %v: it waits out the announced window\n%s", time.Since(start).Round(time.Second), tail(errb.String()))
	}
	t.Logf("finished in %v", time.Since(start).Round(100*time.Millisecond))
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v, want about one 10 s window", d.Round(time.Second))
	}
	checkState(t, srv, ds)
}
