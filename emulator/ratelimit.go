package emulator

import (
	"net/http"
	"strconv"
	"time"
)

// Policy names of the 429 bodies (docs/hubspot-api.md §8).
const (
	policyRolling = "TEN_SECONDLY_ROLLING"
	policyDaily   = "DAILY"
)

// limiter is HubSpot's burst limit (a rolling window) and daily quota
// (docs/hubspot-api.md §8). It is not safe for concurrent use; Server guards it.
type limiter struct {
	rate   int
	window time.Duration
	daily  int

	admitted timeQueue // admission times of all requests inside window

	statWindow  time.Duration
	batches     timeQueue // admission times of batch requests inside statWindow
	maxInWindow int

	day       int64 // UTC day number dailyUsed belongs to
	dailyUsed int
}

// verdict is the limiter's answer for one request.
type verdict struct {
	policy     string // "" = admitted, else the 429 policyName
	retryAfter time.Duration
	remaining  int // in the rolling window, after this request
	dailyLeft  int
}

// admit decides on a request at now and, if admitted, counts it. batch
// requests also feed Stats.MaxInWindow. A rejected request is not counted:
// HubSpot's window counts calls it served.
func (l *limiter) admit(now time.Time, batch bool) verdict {
	t := now.UnixNano()
	l.admitted.dropThrough(t - int64(l.window))
	l.rollDay(now)
	if l.rate > 0 && l.admitted.len() >= l.rate {
		wait := time.Duration(l.admitted.oldest() + int64(l.window) - t)
		return verdict{policy: policyRolling, retryAfter: wait, dailyLeft: l.dailyLeft()}
	}
	if l.daily > 0 && l.dailyUsed >= l.daily {
		return verdict{policy: policyDaily, retryAfter: untilMidnight(now), remaining: l.remaining(), dailyLeft: 0}
	}
	if l.rate > 0 {
		l.admitted.push(t)
	}
	l.dailyUsed++
	if batch {
		l.batches.dropThrough(t - int64(l.statWindow))
		l.batches.push(t)
		l.maxInWindow = max(l.maxInWindow, l.batches.len())
	}
	return verdict{remaining: l.remaining(), dailyLeft: l.dailyLeft()}
}

// peek reports the counters at now without admitting anything, for the
// headers of requests refused before the limiter (401).
func (l *limiter) peek(now time.Time) verdict {
	l.admitted.dropThrough(now.UnixNano() - int64(l.window))
	l.rollDay(now)
	return verdict{remaining: l.remaining(), dailyLeft: l.dailyLeft()}
}

func (l *limiter) rollDay(now time.Time) {
	if d := now.Unix() / 86400; d != l.day {
		l.day, l.dailyUsed = d, 0
	}
}

func (l *limiter) remaining() int { return max(0, l.rate-l.admitted.len()) }
func (l *limiter) dailyLeft() int { return max(0, l.daily-l.dailyUsed) }

// setHeaders writes the X-HubSpot-RateLimit-* headers (docs/hubspot-api.md §8). With
// the burst limit off there is nothing truthful to report, so those headers
// are omitted; HubSpot also omits them at times, so clients must cope.
func (l *limiter) setHeaders(h http.Header, v verdict) {
	if l.rate > 0 {
		h["X-Hubspot-Ratelimit-Max"] = []string{strconv.Itoa(l.rate)}
		h["X-Hubspot-Ratelimit-Remaining"] = []string{strconv.Itoa(v.remaining)}
		h["X-Hubspot-Ratelimit-Interval-Milliseconds"] = []string{strconv.FormatInt(l.window.Milliseconds(), 10)}
	}
	if l.daily > 0 {
		h["X-Hubspot-Ratelimit-Daily"] = []string{strconv.Itoa(l.daily)}
		h["X-Hubspot-Ratelimit-Daily-Remaining"] = []string{strconv.Itoa(v.dailyLeft)}
	}
}

// untilMidnight is the time left in now's UTC day: the daily quota resets at
// midnight in the account's time zone, which the emulator takes to be UTC.
func untilMidnight(now time.Time) time.Duration {
	u := now.UTC()
	next := time.Date(u.Year(), u.Month(), u.Day()+1, 0, 0, 0, 0, time.UTC)
	return next.Sub(u)
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(1, s), 10)
}

// timeQueue is a FIFO of Unix-nanosecond times in non-decreasing order.
type timeQueue struct {
	t    []int64
	head int
}

func (q *timeQueue) push(t int64) {
	if q.head > 1024 && q.head*2 > len(q.t) {
		n := copy(q.t, q.t[q.head:])
		q.t, q.head = q.t[:n], 0
	}
	q.t = append(q.t, t)
}

// dropThrough removes every time ≤ cut: the window is (now−Window, now].
func (q *timeQueue) dropThrough(cut int64) {
	for q.head < len(q.t) && q.t[q.head] <= cut {
		q.head++
	}
}

func (q *timeQueue) len() int      { return len(q.t) - q.head }
func (q *timeQueue) oldest() int64 { return q.t[q.head] }
