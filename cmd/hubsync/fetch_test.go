package main

import (
	"errors"
	"testing"
	"time"

	"github.com/hubsync/hubsync/sink"
)

func TestFetchWait(t *testing.T) {
	tests := []struct {
		name     string
		attempt  int
		err      error
		min, max time.Duration
	}{
		{"first failure, nothing asked", 1, errors.New("reset"), 500 * time.Millisecond, time.Second},
		{"backoff grows", 3, errors.New("reset"), 2 * time.Second, 4 * time.Second},
		{"backoff capped", 10, errors.New("reset"), 15 * time.Second, 30 * time.Second},
		{"Retry-After beyond the backoff's cap is honoured", 1, &sink.APIError{StatusCode: 503, RetryAfter: 45 * time.Second}, 45 * time.Second, 45 * time.Second},
		{"Retry-After capped at a minute", 1, &sink.APIError{StatusCode: 503, RetryAfter: time.Hour}, time.Minute, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 50 { // the backoff has jitter
				if got := fetchWait(tt.attempt, tt.err); got < tt.min || got > tt.max {
					t.Fatalf("fetchWait(%d, %v) = %v, want %v to %v", tt.attempt, tt.err, got, tt.min, tt.max)
				}
			}
		})
	}
}
