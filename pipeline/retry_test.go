package pipeline

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"

	"github.com/hubsync/hubsync/sink"
)

// TestRunStopsWhenRateLimitedForever: a server that answers 429 to every
// request, however long it says the window is, stops the run resumably
// once MaxRateLimited passed without a success; it never makes the run
// wait out the window it announces.
func TestRunStopsWhenRateLimitedForever(t *testing.T) {
	tests := []struct {
		name       string
		interval   time.Duration // X-HubSpot-RateLimit-Interval-Milliseconds
		retryAfter time.Duration
	}{
		{"window of 115 days", 100000000000 * time.Millisecond, 0},
		{"Retry-After of a week", time.Second, 7 * 24 * time.Hour},
		{"ordinary window", 100 * time.Millisecond, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limited := &sink.APIError{StatusCode: 429, PolicyName: "SECONDLY", RetryAfter: tt.retryAfter,
				RateLimit: sink.RateLimit{Max: 10, Remaining: 0, Interval: tt.interval, Daily: -1, DailyRemaining: -1, Known: true}}
			s := &fakeSender{send: func(int, []sink.Input) (*sink.BatchResult, error) { return nil, limited }}
			d := &fakeDead{}
			cfg := Config{BatchSize: 2, Workers: 2, MaxRateLimited: 300 * time.Millisecond}
			p, err := New(cfg, &fakeReader{recs: records("1", "2", "3", "4", "5")}, s, d, NewLimiter(10, time.Second), zap.NewNop())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			err = p.Run(ctx)
			var stop *StopError
			if !errors.As(err, &stop) || !errors.Is(err, limited) {
				t.Fatalf("Run = %v after %v, want a *StopError wrapping the 429", err, time.Since(start).Round(time.Millisecond))
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("stopped after %v, want about MaxRateLimited (300ms)", took)
			}
			if len(d.entries) != 0 {
				t.Errorf("dead letters %v, want none: a stop must not dead-letter", d.entries)
			}
		})
	}
}

// TestRunRetryGivesWorkerBack: a batch waiting out its backoff does not
// hold one of the Workers requests in flight, nor does a batch waiting for
// it because they share a record hold up later batches. Row 1 fails three
// times (retried at once, then after 0.2-0.8 s twice); with one worker every
// other row but row 4 (the same record) must be sent meanwhile, row 4 only
// after row 1, and never more than one request at a time.
func TestRunRetryGivesWorkerBack(t *testing.T) {
	var (
		mu       sync.Mutex
		order    []string // "id=value" of every request, in order
		inFlight int
		maxIn    int
		row1     int // attempts of row 1
	)
	s := &fakeSender{send: func(call int, in []sink.Input) (*sink.BatchResult, error) {
		mu.Lock()
		order = append(order, in[0].ID+"="+in[0].Props[0].Value)
		inFlight++
		maxIn = max(maxIn, inFlight)
		if in[0].Props[0].Value == "1" {
			row1++
		}
		failing := in[0].Props[0].Value == "1" && row1 < 4
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		if failing {
			return nil, &sink.APIError{StatusCode: 500, Message: "internal error"}
		}
		return applyAll(in), nil
	}}
	cfg := Config{BatchSize: 1, Workers: 1, BackoffBase: 400 * time.Millisecond, BackoffMax: 800 * time.Millisecond}
	p := newTestPipeline(t, cfg, records("1", "2", "3", "1", "5", "6"), s, &fakeDead{})
	if err := p.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	sorted := slices.Sorted(slices.Values(order))
	if diff := cmp.Diff([]string{"1=1", "1=1", "1=1", "1=1", "1=4", "2=2", "3=3", "5=5", "6=6"}, sorted); diff != "" {
		t.Fatalf("requests (-want +got):\n%s", diff)
	}
	// Row 1's fourth attempt succeeds after backoffs in which every row
	// but row 4 went; row 4 waits for it.
	if diff := cmp.Diff([]string{"1=1", "1=4"}, order[len(order)-2:]); diff != "" {
		t.Errorf("last two requests of %v (-want +got):\n%s", order, diff)
	}
	if maxIn > 1 {
		t.Errorf("%d requests in flight at once, want at most Workers (1)", maxIn)
	}
}

// TestRunHaltWakesQueuedBatches halts a run whose limiter lets a request
// go once a minute, as a long run of 429s leaves it: the batches queued
// for their turn were never sent and must stop at once, not each wait a
// minute for a turn only to see the halt.
func TestRunHaltWakesQueuedBatches(t *testing.T) {
	var ids []string
	for i := range 40 {
		ids = append(ids, strconv.Itoa(i+1))
	}
	s := &fakeSender{send: func(call int, in []sink.Input) (*sink.BatchResult, error) {
		time.Sleep(50 * time.Millisecond) // the other batches queue for their turn meanwhile
		return nil, &sink.APIError{StatusCode: 429, Category: "RATE_LIMITS"}
	}}
	p := newTestPipeline(t, Config{BatchSize: 10, Workers: 1, MaxRateLimited: 50 * time.Millisecond}, records(ids...), s, &fakeDead{})
	lim := NewLimiter(1, time.Second)
	lim.SetPace(0) // the floor: one request a minute
	p.limiter, p.pace.lim = lim, lim

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stop *StopError
	if err := p.Run(ctx); !errors.As(err, &stop) {
		t.Errorf("Run = %v, want a *StopError at once, not after the queued batches' turns", err)
	}
}
