package pipeline

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter keeps requests within HubSpot's rolling-window limit: never more
// than N requests in any window of length W as HubSpot counts them (by
// arrival), however long each request takes.
//
// A plain token bucket cannot promise that: with burst B it admits B+N
// requests in some windows. HubSpot counts a request when it arrives, which
// is some time between when we start it and when its response reaches us.
// So a slot is taken when a request starts and freed only W after its
// response arrives: a request started at or after that moment cannot fall
// into one window with the earlier one, whatever the network did. The cost is
// one round trip per window per slot (0.5% at 5 ms and 1 s windows).
//
// On top of the window, a rate.Limiter gives the pace that callers lower
// after a 429 (the account's budget is shared with other apps) and raise
// again later.
//
// A Limiter is safe for concurrent use.
type Limiter struct {
	n      int
	window time.Duration
	pace   *rate.Limiter

	mu       sync.Mutex
	slots    []slot // only the first active are used
	active   int
	pausedTo time.Time
	changed  chan struct{} // closed and replaced whenever a slot is freed
	waiting  int           // callers of Acquire waiting for a slot or the end of a pause
	waited   time.Time     // when the last such wait ended
}

type slot struct {
	busy   bool      // a request holds it
	freeAt time.Time // when busy is false: usable from this time on
}

// NewLimiter returns a Limiter for n requests per window. n == 0 turns
// limiting off: Acquire then never waits.
func NewLimiter(n int, window time.Duration) *Limiter {
	l := &Limiter{n: n, window: window, changed: make(chan struct{})}
	if n > 0 {
		l.slots = make([]slot, n)
		l.active = n
		// The burst is the whole window, so that at full pace the window
		// alone decides; the pace bites once a 429 has lowered it.
		l.pace = rate.NewLimiter(rate.Limit(float64(n)/window.Seconds()), n)
	}
	return l
}

// Acquire blocks until a request may start, or ctx is done. The caller must
// call the returned release exactly once, when the response (or the error
// that ended the attempt) has arrived.
func (l *Limiter) Acquire(ctx context.Context) (release func(), err error) {
	if l.n == 0 {
		return func() {}, nil
	}
	if err := l.pace.Wait(ctx); err != nil {
		return nil, err
	}
	for {
		l.mu.Lock()
		now := time.Now()
		i, wait := l.pick(now)
		if i >= 0 {
			l.slots[i].busy = true
			l.mu.Unlock()
			return func() { l.free(i) }, nil
		}
		changed := l.changed
		l.waiting++
		l.mu.Unlock()
		err := sleep(ctx, wait, changed)
		l.mu.Lock()
		l.waiting--
		l.waited = time.Now()
		l.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
}

// pick returns a free slot, or -1 and how long to wait before looking again
// (0: until a busy slot is freed). Called with l.mu held.
func (l *Limiter) pick(now time.Time) (int, time.Duration) {
	if now.Before(l.pausedTo) {
		return -1, l.pausedTo.Sub(now)
	}
	var soonest time.Time
	for i, s := range l.slots[:l.active] {
		if s.busy {
			continue
		}
		if !now.Before(s.freeAt) {
			return i, 0
		}
		if soonest.IsZero() || s.freeAt.Before(soonest) {
			soonest = s.freeAt
		}
	}
	if soonest.IsZero() {
		return -1, 0
	}
	return -1, soonest.Sub(now)
}

func (l *Limiter) free(i int) {
	l.mu.Lock()
	l.slots[i] = slot{freeAt: time.Now().Add(l.window)}
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// Pause holds back every new request for d (at most a minute), as after a
// 429 whose answer says how long the window stays full.
func (l *Limiter) Pause(d time.Duration) {
	if l.n == 0 || d <= 0 {
		return
	}
	d = min(d, maxRateLimitWait)
	l.mu.Lock()
	if t := time.Now().Add(d); t.After(l.pausedTo) {
		l.pausedTo = t
	}
	l.mu.Unlock()
}

// Observe takes in HubSpot's view of the window from a response's rate
// headers (max and remaining requests per interval; -1 or 0 when absent).
//
// When HubSpot's window is the limiter's and allows fewer requests than it
// was configured for, the limiter shrinks to that: the account's real
// budget wins over --rate. When HubSpot has fewer requests left than the
// limiter has free slots, other clients (or an earlier run) are using the
// same budget, so the surplus slots are held for one interval. Observe
// never frees a slot nor raises the limit. It reports whether it lowered
// the limit.
func (l *Limiter) Observe(maxN, remaining int, interval time.Duration) (lowered bool) {
	if l.n == 0 {
		return false
	}
	if interval <= 0 {
		interval = l.window
	} else {
		interval = min(interval, maxWindow) // a server may say anything
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if maxN > 0 && maxN < l.active && interval == l.window {
		l.active = maxN
		l.pace.SetLimit(min(l.pace.Limit(), rate.Limit(float64(maxN)/l.window.Seconds())))
		lowered = true
	}
	if remaining < 0 {
		return lowered
	}
	now := time.Now()
	surplus := -remaining
	for _, s := range l.slots[:l.active] {
		if !s.busy && !now.Before(s.freeAt) {
			surplus++
		}
	}
	for i := range l.slots[:l.active] {
		if surplus <= 0 {
			return lowered
		}
		if s := l.slots[i]; !s.busy && !now.Before(s.freeAt) {
			l.slots[i].freeAt = now.Add(interval)
			surplus--
		}
	}
	return lowered
}

// waitShown is how long after a wait on the limiter ended Status still
// reports it: at full pace requests wait a moment each, and a display
// redrawn a few times a second would flicker otherwise.
const waitShown = time.Second

// LimiterStatus is what holds requests back at one instant.
type LimiterStatus struct {
	Waiting  bool          // requests wait (or waited within a second) for a slot or a pause
	Paused   time.Duration // the pause after a 429 still to run; 0 when none
	InWindow int           // requests HubSpot may count in the current window: in flight, or answered within one window
	Limit    int           // requests allowed per window now
	Window   time.Duration
}

// Status reports what holds requests back now. It is safe for concurrent
// use and does not block on Acquire.
func (l *Limiter) Status() LimiterStatus {
	if l.n == 0 {
		return LimiterStatus{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	st := LimiterStatus{Limit: l.active, Window: l.window,
		Waiting: l.waiting > 0 || (!l.waited.IsZero() && now.Sub(l.waited) < waitShown)}
	if now.Before(l.pausedTo) {
		st.Paused = l.pausedTo.Sub(now)
	}
	for _, s := range l.slots[:l.active] {
		if s.busy || now.Before(s.freeAt) {
			st.InWindow++
		}
	}
	return st
}

// Configured reports the limit the limiter was made with, before HubSpot's
// headers lowered it.
func (l *Limiter) Configured() (n int, window time.Duration) { return l.n, l.window }

// Limit reports how many requests the limiter allows per window now.
func (l *Limiter) Limit() (n int, window time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.active, l.window
}

// Pace reports the current pace in requests per second (0 when unlimited).
func (l *Limiter) Pace() float64 {
	if l.n == 0 {
		return 0
	}
	return float64(l.pace.Limit())
}

// SetPace changes the pace, clamped to the ceiling n/window (the rolling
// window stays the hard limit whatever the pace) and to a floor of a
// hundredth of it, or one request a minute if that is more.
func (l *Limiter) SetPace(perSecond float64) {
	if l.n == 0 {
		return
	}
	l.mu.Lock()
	ceiling := float64(l.active) / l.window.Seconds()
	l.mu.Unlock()
	// Never slower than a request per maxRateLimitWait: a run that must
	// wait longer is better stopped, which only a request can tell.
	floor := min(max(ceiling/100, 1/maxRateLimitWait.Seconds()), ceiling)
	l.pace.SetLimit(rate.Limit(min(max(perSecond, floor), ceiling)))
}

// sleep waits for d (or, when d is 0, only for wake), for wake to be closed,
// or for ctx to be done, whichever comes first.
func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	var timer <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer:
	case <-wake:
	}
	return nil
}
