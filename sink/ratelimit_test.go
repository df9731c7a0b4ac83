package sink

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseRateLimit(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
		want   RateLimit
	}{
		{"all present", map[string]string{
			"X-HubSpot-RateLimit-Daily": "500000", "X-HubSpot-RateLimit-Daily-Remaining": "498677",
			"X-HubSpot-RateLimit-Interval-Milliseconds": "10000", "X-HubSpot-RateLimit-Max": "150",
			"X-HubSpot-RateLimit-Remaining": "149", "X-HubSpot-RateLimit-Secondly": "15",
		}, RateLimit{Max: 150, Remaining: 149, Interval: 10 * time.Second, Daily: 500000, DailyRemaining: 498677, Known: true}},
		{"OAuth: no daily pair", map[string]string{
			"X-HubSpot-RateLimit-Max": "110", "X-HubSpot-RateLimit-Remaining": "0",
		}, RateLimit{Max: 110, Remaining: 0, Daily: -1, DailyRemaining: -1, Known: true}},
		{"none", nil, RateLimit{Max: -1, Remaining: -1, Daily: -1, DailyRemaining: -1}},
		{"window of 115 days clamped", map[string]string{
			"X-HubSpot-RateLimit-Max": "10", "X-HubSpot-RateLimit-Remaining": "0",
			"X-HubSpot-RateLimit-Interval-Milliseconds": "100000000000",
		}, RateLimit{Max: 10, Remaining: 0, Interval: maxRateInterval, Daily: -1, DailyRemaining: -1, Known: true}},
		{"window that overflows a Duration clamped", map[string]string{
			"X-HubSpot-RateLimit-Interval-Milliseconds": "9223372036854775807",
		}, RateLimit{Max: -1, Remaining: -1, Interval: maxRateInterval, Daily: -1, DailyRemaining: -1}},
		{"garbage", map[string]string{
			"X-HubSpot-RateLimit-Max": "lots", "X-HubSpot-RateLimit-Remaining": "-3",
			"X-HubSpot-RateLimit-Interval-Milliseconds": "soon",
		}, RateLimit{Max: -1, Remaining: -1, Daily: -1, DailyRemaining: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			if diff := cmp.Diff(tt.want, parseRateLimit(h)); diff != "" {
				t.Errorf("parseRateLimit (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRateLimitOnResponses(t *testing.T) {
	header := map[string]string{
		"X-HubSpot-RateLimit-Max": "190", "X-HubSpot-RateLimit-Remaining": "187",
		"X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
		"X-HubSpot-RateLimit-Daily":                 "1000000", "X-HubSpot-RateLimit-Daily-Remaining": "999000",
	}
	want := RateLimit{Max: 190, Remaining: 187, Interval: 10 * time.Second, Daily: 1000000, DailyRemaining: 999000, Known: true}
	tests := []struct {
		name   string
		status int
		file   string
	}{
		{"200", 200, "200_shuffled.json"},
		{"400", 400, "400_duplicate_ids.json"},
		{"429", 429, "429_ten_secondly_rolling.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, Config{}, fixtureHandler(t, tt.status, tt.file, header))
			res, err := c.UpdateBatch(context.Background(), inputsFor("1001", "1002", "1003"))
			var got RateLimit
			if res != nil {
				got = res.RateLimit
			} else if e, ok := errors.AsType[*APIError](err); ok {
				got = e.RateLimit
			} else {
				t.Fatalf("UpdateBatch: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("RateLimit (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
	}{
		{"absent", "", 0},
		{"seconds", "10", 10 * time.Second},
		{"fraction", "1.5", 1500 * time.Millisecond},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"huge", "99999999999", maxRetryAfter},
		{"HTTP date ahead", testNow.Add(time.Minute).Format(http.TimeFormat), time.Minute},
		{"HTTP date past", testNow.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"garbage", "soon", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.in, testNow); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
