package sink

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimit is what the X-HubSpot-RateLimit-* headers of one response said.
// HubSpot may omit any of them (always the daily pair for OAuth calls), so
// each count is -1 when its header is absent or unreadable.
type RateLimit struct {
	Max            int           // requests allowed per Interval (X-HubSpot-RateLimit-Max)
	Remaining      int           // requests left in the current Interval
	Interval       time.Duration // window of Max/Remaining; 0 when absent
	Daily          int           // daily allowance (X-HubSpot-RateLimit-Daily)
	DailyRemaining int           // daily requests left
	Known          bool          // Max and Remaining were both present
}

// Header names of the rate-limit information (docs/hubspot-api.md §8).
const (
	headerRateMax            = "X-HubSpot-RateLimit-Max"
	headerRateRemaining      = "X-HubSpot-RateLimit-Remaining"
	headerRateInterval       = "X-HubSpot-RateLimit-Interval-Milliseconds"
	headerRateDaily          = "X-HubSpot-RateLimit-Daily"
	headerRateDailyRemaining = "X-HubSpot-RateLimit-Daily-Remaining"
	headerCorrelationID      = "X-HubSpot-Correlation-Id"
)

// maxRateInterval bounds the window a response may announce. HubSpot's
// windows are one and ten seconds; a longer one comes from a broken or
// hostile server (one announced 100,000,000,000 ms, which hubsync once
// waited out for 115 days). Taking it for ten seconds costs at worst a few
// more 429s, which the caller's pacing answers.
const maxRateInterval = 10 * time.Second

func parseRateLimit(h http.Header) RateLimit {
	rl := RateLimit{
		Max:            headerInt(h, headerRateMax),
		Remaining:      headerInt(h, headerRateRemaining),
		Daily:          headerInt(h, headerRateDaily),
		DailyRemaining: headerInt(h, headerRateDailyRemaining),
	}
	if ms := headerInt(h, headerRateInterval); ms > 0 {
		// Clamped before the multiplication, which would overflow.
		rl.Interval = time.Duration(min(ms, int(maxRateInterval/time.Millisecond))) * time.Millisecond
	}
	rl.Known = rl.Max >= 0 && rl.Remaining >= 0
	return rl
}

// headerInt returns the non-negative integer in header k, or -1.
func headerInt(h http.Header, k string) int {
	v := strings.TrimSpace(h.Get(k))
	if v == "" {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// maxRetryAfter bounds a Retry-After so that a silly value cannot overflow;
// callers cap it further to their own taste.
const maxRetryAfter = 7 * 24 * time.Hour

// parseRetryAfter reads a Retry-After value: delay seconds (fractions
// tolerated) or an HTTP date, relative to now. It returns 0 when v is empty,
// unreadable or in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(secs) || secs <= 0 {
			return 0
		}
		if secs >= maxRetryAfter.Seconds() {
			return maxRetryAfter
		}
		return time.Duration(secs * float64(time.Second))
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return min(max(t.Sub(now), 0), maxRetryAfter)
}
