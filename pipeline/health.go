package pipeline

import (
	"fmt"
	"sync"
	"time"
)

// health decides when HubSpot is down rather than flaky: too many failed
// attempts in a row across all workers, or no success for too long; and
// when 429s have gone on for too long to wait for.
type health struct {
	maxFailures int
	maxSilence  time.Duration
	maxLimited  time.Duration

	mu         sync.Mutex
	failures   int
	quietSince time.Time // the last success, or the start of the run
	succeeded  time.Time // the last success; zero before the first
}

// start starts the silence clock.
func (h *health) start() {
	h.mu.Lock()
	h.quietSince = time.Now()
	h.mu.Unlock()
}

func (h *health) success() {
	h.mu.Lock()
	h.failures = 0
	h.quietSince = time.Now()
	h.succeeded = h.quietSince
	h.mu.Unlock()
}

// neverSucceeded reports whether no request of the run has succeeded.
func (h *health) neverSucceeded() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.succeeded.IsZero()
}

// recentSuccess reports whether a request succeeded within d. Before the
// first success it is false: a batch failing from the start of a run is no
// evidence against its records.
func (h *health) recentSuccess(d time.Duration) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.succeeded.IsZero() && time.Since(h.succeeded) < d
}

// failure records a failed attempt and returns why the run should stop, or
// "" to go on, and whether the failure stands alone: the attempt before it,
// by any worker, succeeded.
func (h *health) failure() (reason string, alone bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures++
	switch {
	case h.failures >= h.maxFailures:
		return fmt.Sprintf("%d attempts in a row failed", h.failures), false
	case time.Since(h.quietSince) >= h.maxSilence:
		return fmt.Sprintf("no request succeeded for %s", time.Since(h.quietSince).Round(time.Second)), false
	}
	return "", h.failures == 1
}

// limited records a 429 after which the caller is to wait for wait, and
// returns why the run should stop, or "" to go on: no success for
// maxLimited, or none possible before the wait is over.
func (h *health) limited(wait time.Duration) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	silent := time.Since(h.quietSince)
	if silent+wait < h.maxLimited {
		return ""
	}
	return fmt.Sprintf("no request succeeded for %s, and the next may not start for %s", silent.Round(100*time.Millisecond), wait.Round(100*time.Millisecond))
}
