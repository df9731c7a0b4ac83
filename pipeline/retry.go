package pipeline

import (
	"context"
	"errors"
	"fmt"
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
