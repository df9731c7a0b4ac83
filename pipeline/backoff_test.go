package pipeline

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hubsync/hubsync/sink"
)

func TestBackoffWait(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name     string
		b        Backoff
		attempt  int
		err      error
		min, max time.Duration // the wait is in [min, max]
	}{
		{"first", Backoff{Base: 100 * ms, Max: time.Second}, 1, nil, 50 * ms, 100 * ms},
		{"doubles", Backoff{Base: 100 * ms, Max: time.Second}, 3, nil, 200 * ms, 400 * ms},
		{"capped", Backoff{Base: 100 * ms, Max: time.Second}, 5, nil, 500 * ms, time.Second},
		{"no overflow on a long streak", Backoff{Base: 100 * ms, Max: time.Second}, 200, nil, 500 * ms, time.Second},
		{"zero base starts at max", Backoff{Max: time.Second}, 1, nil, 500 * ms, time.Second},
		{"Retry-After above the backoff", Backoff{Base: 100 * ms, Max: time.Second}, 1,
			&sink.APIError{StatusCode: 503, RetryAfter: 700 * ms}, 700 * ms, 700 * ms},
		{"Retry-After below the backoff", Backoff{Base: 100 * ms, Max: time.Second}, 4,
			&sink.APIError{StatusCode: 503, RetryAfter: 10 * ms}, 400 * ms, 800 * ms},
		{"Retry-After within max", Backoff{Base: 100 * ms, Max: time.Second}, 1,
			&sink.APIError{StatusCode: 503, RetryAfter: time.Hour}, time.Second, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 200 { // the jitter's range, not one draw
				if got := tt.b.Wait(tt.attempt, tt.err); got < tt.min || got > tt.max {
					t.Fatalf("Wait(%d) = %v, want within [%v, %v]", tt.attempt, got, tt.min, tt.max)
				}
			}
		})
	}
}

func TestBackoffFloor(t *testing.T) {
	b := Backoff{Base: time.Second, Max: 5 * time.Second}
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{"no error", nil, 0},
		{"not an API error", errors.New("connection reset"), 0},
		{"Retry-After", &sink.APIError{StatusCode: 503, RetryAfter: 2 * time.Second}, 2 * time.Second},
		{"Retry-After over max", &sink.APIError{StatusCode: 503, RetryAfter: time.Minute}, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.Floor(tt.err); got != tt.want {
				t.Errorf("Floor = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRetry(t *testing.T) {
	errGiveUp := errors.New("give up")
	type step struct {
		wait  time.Duration
		again bool
		err   error
	}
	tests := []struct {
		name      string
		steps     []step // what try returns, call by call
		cancelAt  int    // cancel ctx during the call of this number (from 1); 0 never
		want      error
		wantCalls int
		minTook   time.Duration
	}{{
		name:      "done at once",
		steps:     []step{{}},
		wantCalls: 1,
	}, {
		name:      "error at once",
		steps:     []step{{err: errGiveUp}},
		want:      errGiveUp,
		wantCalls: 1,
	}, {
		name:      "waits between calls",
		steps:     []step{{wait: 20 * time.Millisecond, again: true}, {wait: 30 * time.Millisecond, again: true}, {}},
		wantCalls: 3,
		minTook:   50 * time.Millisecond,
	}, {
		name:      "no wait",
		steps:     []step{{again: true}, {again: true}, {err: errGiveUp}},
		want:      errGiveUp,
		wantCalls: 3,
	}, {
		name:      "the error of a call to retry is not returned",
		steps:     []step{{again: true, err: errGiveUp}, {}},
		wantCalls: 2,
	}, {
		name:      "ctx ends the sleep",
		steps:     []step{{wait: time.Hour, again: true}, {}},
		cancelAt:  1,
		want:      context.Canceled,
		wantCalls: 1,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			calls := 0
			start := time.Now()
			err := Retry(ctx, func() (time.Duration, bool, error) {
				calls++
				if calls == tt.cancelAt {
					cancel()
				}
				s := tt.steps[calls-1]
				return s.wait, s.again, s.err
			})
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Retry = %v, want %v", err, tt.want)
			}
			if calls != tt.wantCalls {
				t.Errorf("%d calls, want %d", calls, tt.wantCalls)
			}
			if took := time.Since(start); took < tt.minTook {
				t.Errorf("took %v, want at least %v", took, tt.minTook)
			}
		})
	}
}
