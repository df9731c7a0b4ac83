package pipeline

import (
	"context"
	"errors"
	"testing"
	"time"

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
