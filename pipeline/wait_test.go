package pipeline

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hubsync/hubsync/sink"
)

// TestStatsWaiting runs a pipeline whose rate limit binds and checks that
// its stats say it waits for the rate window, naming HubSpot's limit once
// the headers lowered it, and that the lowering is logged once.
func TestStatsWaiting(t *testing.T) {
	tests := []struct {
		name    string
		max     int // X-HubSpot-RateLimit-Max; -1 when absent
		want    string
		adopted int // log lines about the adopted limit
	}{
		{"window full", -1, "waiting for the rate window: 3 requests in the last 300ms", 0},
		{"hubspot's lower limit", 2, "waiting for the rate window: 2 requests in the last 300ms (HubSpot's limit of 2, lower than --rate 3/300ms)", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) {
				res := applyAll(in)
				res.RateLimit = sink.RateLimit{Max: tc.max, Remaining: -1, Daily: -1, DailyRemaining: -1, Interval: 300 * time.Millisecond}
				return res, nil
			}}
			ids := make([]string, 12)
			for i := range ids {
				ids[i] = strconv.Itoa(i + 1)
			}
			core, logs := observer.New(zap.InfoLevel)
			p, err := New(Config{BatchSize: 1, Workers: 4}, &fakeReader{recs: records(ids...)}, s, &fakeDead{},
				NewLimiter(3, 300*time.Millisecond), zap.New(core))
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- p.Run(context.Background()) }()
			seen := map[string]bool{}
			for running := true; running; {
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("Run: %v", err)
					}
					running = false
				case <-time.After(10 * time.Millisecond):
					if w := p.Stats().Waiting(); w != "" {
						seen[w] = true
					}
				}
			}
			if !seen[tc.want] {
				t.Errorf("Waiting never said %q; it said %v", tc.want, seen)
			}
			if n := logs.FilterMessageSnippet("adopted HubSpot's limit").Len(); n != tc.adopted {
				t.Errorf("%d log lines about the adopted limit, want %d", n, tc.adopted)
			}
			if got := p.Stats().Sending.Load(); got != 0 {
				t.Errorf("%d requests on the wire after Run, want 0", got)
			}
		})
	}
}

func TestStatsWaitingAfter429(t *testing.T) {
	lim := NewLimiter(10, time.Second)
	st := &Stats{lim: lim}
	if w := st.Waiting(); w != "" {
		t.Errorf("Waiting = %q before anything happened, want nothing", w)
	}
	lim.Pause(2 * time.Second)
	if w := st.Waiting(); !strings.HasPrefix(w, "waiting 2s more: HubSpot answered 429") {
		t.Errorf("Waiting = %q during a pause", w)
	}
}
