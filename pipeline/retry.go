package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/sink"
)

// ErrAllRejected stops a run whose batches HubSpot rejects record by record.
var ErrAllRejected = errors.New("every record rejected")

// errHalted is returned by send after it halted the run, or when the run
// stopped before the batch was first sent: the batch stays unsettled and
// its carrier stops, while the others finish what they sent.
var errHalted = errors.New("run halted")

// errBatchKeepsFailing is returned by send when one request failed
// MaxAttempts times while requests for other batches went through: the
// cause is likely in its records, so the caller splits it.
var errBatchKeepsFailing = errors.New("request kept failing")

// send makes one logical request for the items of b named by idx: it
// retries transient failures with capped exponential backoff and jitter,
// and waits out 429s without counting them as attempts. It returns the
// result; or an error that sink.Classify puts in ClassRejected or
// ClassFatal; or one wrapping errBatchKeepsFailing; or errHalted when the
// run halted (daily limit, HubSpot down).
func (p *Pipeline) send(ctx context.Context, b *batch, idx []int) (*sink.BatchResult, error) {
	in := inputs(b, idx)
	attempt := 1
	var res *sink.BatchResult
	// Retry sleeps between attempts with no place in flight held: a batch
	// waiting to retry leaves its place to another.
	err := Retry(ctx, func() (time.Duration, bool, error) {
		r, wait, counts, err := p.attempt(ctx, b, in, attempt)
		if r != nil || err != nil {
			res = r
			return 0, false, err
		}
		if counts {
			attempt++
		}
		return wait, true, nil
	})
	return res, err
}

// attempt makes one request for in, once it is one of at most Workers in
// flight and the limiter lets it go, and decides what comes of it: the
// result, an error that ends the request, or a wait before the next
// attempt (counts is false when the wait is for a 429, which does not
// count as an attempt). Its place in flight is held until that is
// decided, so that no request waiting for its turn starts after a halt
// decided here.
func (p *Pipeline) attempt(ctx context.Context, b *batch, in []sink.Input, attempt int) (_ *sink.BatchResult, wait time.Duration, counts bool, _ error) {
	turn := ctx
	if !b.started {
		var cancel context.CancelFunc
		turn, cancel = p.untilStopping(ctx)
		defer cancel()
	}
	release, err := p.acquire(turn)
	if err == nil {
		defer release()
	}
	if !b.started && p.draining() {
		// The run stopped while b waited for its turn: b was never
		// sent, and stays for the next run.
		return nil, 0, false, errHalted
	}
	if err != nil {
		return nil, 0, false, err
	}
	b.started = true
	p.stats.Requests.Add(1)
	p.stats.Sending.Add(1)
	res, err := p.sender.UpdateBatch(ctx, in)
	p.stats.Sending.Add(-1)
	var apiErr *sink.APIError
	errors.As(err, &apiErr)
	rl := sink.RateLimit{Max: -1, Remaining: -1, DailyRemaining: -1, Daily: -1}
	switch {
	case res != nil:
		rl = res.RateLimit
	case apiErr != nil:
		rl = apiErr.RateLimit
	}
	if p.limiter.Observe(rl.Max, rl.Remaining, rl.Interval) {
		n, w := p.limiter.Limit()
		cn, cw := p.limiter.Configured()
		p.log.Info("adopted HubSpot's limit, lower than --rate",
			zap.String("hubspot_limit", fmt.Sprintf("%d per %s", n, w)), zap.String("rate", fmt.Sprintf("%d/%s", cn, cw)))
	}
	if err == nil {
		p.pace.success()
		p.health.success()
		p.log.Debug("batch sent", zap.Uint64("batch", b.seq), zap.Int("records", len(in)),
			zap.Int("status", res.StatusCode), zap.Int("attempt", attempt), zap.String("correlation_id", res.CorrelationID))
		if serr := p.checkReserve(rl); serr != nil {
			p.halt(serr)
		}
		return res, 0, false, nil
	}
	if ctx.Err() != nil {
		return nil, 0, false, ctx.Err()
	}
	if (sink.BadEndpoint(err) || sink.UnknownObjectType(err)) && p.health.neverSucceeded() {
		// Nothing ever got through: the URL (or the object type in it)
		// is wrong, not HubSpot down.
		return nil, 0, false, fmt.Errorf("%w: %w", ErrBadEndpoint, err)
	}
	switch sink.Classify(err) {
	case sink.ClassRateLimit:
		p.stats.RateLimited.Add(1)
		wait := p.pace.limited(apiErr)
		if reason := p.health.limited(wait); reason != "" {
			p.halt(&StopError{Reason: "HubSpot keeps answering 429 (" + reason + ")", Err: err})
			return nil, 0, false, errHalted
		}
		p.log.Warn("rate limited, waiting", zap.Uint64("batch", b.seq), zap.Int("attempt", attempt),
			zap.Duration("wait", wait), zap.String("policy", apiErr.PolicyName), zap.Float64("pace_per_sec", p.limiter.Pace()),
			zap.String("correlation_id", apiErr.CorrelationID))
		return nil, wait, false, nil
	case sink.ClassRetry:
		reason, alone := p.health.failure()
		if reason != "" {
			p.halt(&StopError{Reason: "HubSpot keeps failing (" + reason + ")", Err: err})
			return nil, 0, false, errHalted
		}
		if attempt >= p.cfg.MaxAttempts && p.health.recentSuccess(p.cfg.MaxSilence/2) {
			// Others get through and this one does not: the cause is
			// likely in its records.
			return nil, 0, false, fmt.Errorf("%w %d times: %w", errBatchKeepsFailing, attempt, err)
		}
		backoff := p.backoff()
		wait := backoff.Wait(attempt, err)
		if alone && attempt == 1 {
			// HubSpot answers the others: a first failure is a fluke,
			// retried as soon as the server allows (the limiter still
			// paces it). Backing off would stall the batches that wait
			// for this one's records.
			wait = backoff.Floor(err)
		}
		p.stats.Retries.Add(1)
		p.log.Warn("request failed, retrying", zap.Uint64("batch", b.seq), zap.Int("attempt", attempt),
			zap.Duration("wait", wait), zap.Error(err), zap.String("correlation_id", correlation(apiErr)))
		return nil, wait, true, nil
	case sink.ClassDailyLimit:
		p.halt(&StopError{Reason: "the account's daily API limit is used up; " + dailyReset(time.Now()), Err: err})
		return nil, 0, false, errHalted
	default:
		return nil, 0, false, err
	}
}

// untilStopping returns a copy of ctx that is also cancelled once the run
// halts or drains, for a batch that waits for its turn but was never sent:
// at the slowest pace (a request a minute) each such batch would otherwise
// wait for a turn only to see that the run stopped. The caller calls
// cancel, which ends the goroutine that watches.
func (p *Pipeline) untilStopping(ctx context.Context) (_ context.Context, cancel context.CancelFunc) {
	ctx, cancel = context.WithCancel(ctx)
	go func() {
		select {
		case <-p.halted:
		case <-p.cfg.Drain:
		case <-ctx.Done():
		}
		cancel()
	}()
	return ctx, cancel
}

// acquire blocks until a request may start: it is one of at most Workers
// in flight and the limiter lets it go. The caller calls release once, when
// the attempt is over.
func (p *Pipeline) acquire(ctx context.Context) (release func(), err error) {
	select {
	case p.inFlight <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	free, err := p.limiter.Acquire(ctx)
	if err != nil {
		<-p.inFlight
		return nil, err
	}
	return func() {
		free()
		<-p.inFlight
	}, nil
}

// dailyReset says when HubSpot's daily quota comes back: at midnight in the
// account's time zone (a setting of the account, not visible to the API).
func dailyReset(now time.Time) string {
	next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	return fmt.Sprintf("it resets at midnight in the account's time zone (at %s if that is UTC, in %s); rerun then",
		next.Format("2006-01-02 15:04 MST"), next.Sub(now.UTC()).Round(time.Minute))
}

// checkReserve returns a *StopError when the account's daily requests left
// fell to the reserve that other integrations need.
func (p *Pipeline) checkReserve(rl sink.RateLimit) error {
	if rl.DailyRemaining < 0 {
		return nil
	}
	reserve := int(p.cfg.DailyReserve)
	if p.cfg.DailyReservePercent > 0 && rl.Daily > 0 {
		reserve = max(reserve, int(p.cfg.DailyReservePercent*float64(rl.Daily)/100))
	}
	if reserve <= 0 || rl.DailyRemaining > reserve {
		return nil
	}
	return &StopError{
		Reason: fmt.Sprintf("daily reserve reached: %d requests left today, --daily-reserve keeps %d for other integrations; %s",
			rl.DailyRemaining, reserve, dailyReset(time.Now())),
		Err: ErrDailyReserve,
	}
}

// ErrBadEndpoint is wrapped into the error of a run whose first requests
// failed in a way that says the endpoint is wrong (see sink.BadEndpoint
// and sink.UnknownObjectType): no host, no server on the port, no TLS, a
// 404, or an object type HubSpot does not know. Retrying cannot help.
var ErrBadEndpoint = errors.New("the base URL does not lead to HubSpot")

// ErrDailyReserve is wrapped by the StopError of a run that stopped to
// leave the rest of the daily quota to other integrations.
var ErrDailyReserve = errors.New("daily reserve reached")

// backoff is the wait before a batch's retries: from BackoffBase, capped
// at BackoffMax.
func (p *Pipeline) backoff() Backoff {
	return Backoff{Base: p.cfg.BackoffBase, Max: p.cfg.BackoffMax}
}

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
