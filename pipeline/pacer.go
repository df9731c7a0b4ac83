package pipeline

import (
	"sync"
	"time"

	"github.com/hubsync/hubsync/sink"
)

// maxRateLimitWait caps every wait a server can ask for: after one 429,
// and the pause of the limiter. HubSpot's windows are one and ten seconds;
// a minute leaves room for a Retry-After (which HubSpot does not document)
// and spares the run from waiting out whatever a broken or hostile server
// says. It also caps a window set with --rate, which may be longer.
const maxRateLimitWait = time.Minute

// maxWindow caps the rolling window a server announces. HubSpot's are one
// and ten seconds; taking a longer one for ten seconds costs at worst a few
// more 429s, which the pacer answers, while trusting it could stall the run
// (a server announced 115 days).
const maxWindow = 10 * time.Second

// pacer lowers the limiter's pace when HubSpot answers 429 (the account's
// budget is shared with other apps, so the configured rate may be more than
// is free) and raises it again slowly while requests succeed.
type pacer struct {
	lim *Limiter

	mu          sync.Mutex
	consecutive int // 429s since the last success
}

// limited records a 429 and returns how long the caller should wait: what
// Retry-After says when HubSpot sends it, else a tenth of the window,
// doubling with each 429 in a row up to the whole window. Every worker
// waits as long.
func (pc *pacer) limited(e *sink.APIError) time.Duration {
	pc.mu.Lock()
	pc.consecutive++
	n := pc.consecutive
	pc.mu.Unlock()

	if cur := pc.lim.Pace(); cur > 0 {
		pc.lim.SetPace(cur * 0.8)
	}
	_, window := pc.lim.Limit()
	if e != nil && e.RateLimit.Interval > 0 {
		window = min(e.RateLimit.Interval, maxWindow)
	}
	if window <= 0 {
		window = 10 * time.Second
	}
	window = min(window, maxRateLimitWait)
	wait := min((window/10)<<min(n-1, 6), window)
	if e != nil && e.RetryAfter > 0 {
		// Honoured, but capped: a burst window never needs more than a
		// minute, and a run that must wait longer is better stopped.
		wait = min(e.RetryAfter, maxRateLimitWait)
	}
	pc.lim.Pause(wait)
	return wait
}

// success records an answered request and raises the pace by 1%.
func (pc *pacer) success() {
	pc.mu.Lock()
	pc.consecutive = 0
	pc.mu.Unlock()
	if cur := pc.lim.Pace(); cur > 0 {
		pc.lim.SetPace(cur * 1.01)
	}
}
