package pipeline

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/sink"
)

// send makes one logical request for items: it waits on the limiter before
// every attempt, retries transient failures with capped exponential backoff
// and jitter, and waits out 429s without counting them as attempts. It
// returns the result, or an error that sink.Classify puts in ClassRejected
// or ClassFatal, or a *StopError.
func (p *Pipeline) send(ctx context.Context, b *batch, items []item) (*sink.BatchResult, error) {
	in := inputs(items)
	for attempt := 1; ; {
		release, err := p.limiter.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		p.stats.Requests.Add(1)
		res, err := p.sender.UpdateBatch(ctx, in)
		release()
		var apiErr *sink.APIError
		errors.As(err, &apiErr)
		switch {
		case res != nil && res.RateLimit.Known:
			p.limiter.Observe(res.RateLimit.Remaining, res.RateLimit.Interval)
		case apiErr != nil && apiErr.RateLimit.Known:
			p.limiter.Observe(apiErr.RateLimit.Remaining, apiErr.RateLimit.Interval)
		}
		if err == nil {
			p.pace.success()
			p.log.Debug("batch sent", zap.Uint64("batch", b.seq), zap.Int("records", len(items)),
				zap.Int("status", res.StatusCode), zap.Int("attempt", attempt))
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		switch sink.Classify(err) {
		case sink.ClassRateLimit:
			p.stats.RateLimited.Add(1)
			wait := p.pace.limited(apiErr)
			p.log.Warn("rate limited, waiting", zap.Uint64("batch", b.seq), zap.Int("attempt", attempt),
				zap.Duration("wait", wait), zap.String("policy", apiErr.PolicyName),
				zap.String("correlation_id", apiErr.CorrelationID))
			if err := sleep(ctx, wait, nil); err != nil {
				return nil, err
			}
		case sink.ClassRetry:
			if attempt >= p.cfg.MaxAttempts {
				return nil, &StopError{Reason: "HubSpot kept failing", Err: err}
			}
			wait := max(p.backoff(attempt), min(sink.MinWait(err), p.cfg.BackoffMax))
			p.stats.Retries.Add(1)
			fields := []zap.Field{zap.Uint64("batch", b.seq), zap.Int("attempt", attempt),
				zap.Duration("wait", wait), zap.Error(err)}
			if apiErr != nil {
				fields = append(fields, zap.String("correlation_id", apiErr.CorrelationID))
			}
			p.log.Warn("request failed, retrying", fields...)
			if err := sleep(ctx, wait, nil); err != nil {
				return nil, err
			}
			attempt++
		case sink.ClassDailyLimit:
			return nil, &StopError{Reason: "daily API limit reached", Err: err}
		default:
			return nil, err
		}
	}
}

// backoff is the wait before retry number attempt: exponential from
// BackoffBase, capped at BackoffMax, with full jitter in its upper half.
func (p *Pipeline) backoff(attempt int) time.Duration {
	d := p.cfg.BackoffBase << min(attempt-1, 20)
	if d <= 0 || d > p.cfg.BackoffMax {
		d = p.cfg.BackoffMax
	}
	return d/2 + rand.N(d/2+1)
}

// pacer lowers the limiter's pace when HubSpot answers 429 (the account's
// budget is shared with other apps, so the configured rate may be more than
// is free) and raises it again slowly while requests succeed.
type pacer struct {
	lim *Limiter

	mu          sync.Mutex
	consecutive int // 429s since the last success
}

func (pc *pacer) init(lim *Limiter) { pc.lim = lim }

// limited records a 429 and returns how long the caller should wait.
func (pc *pacer) limited(e *sink.APIError) time.Duration {
	pc.mu.Lock()
	pc.consecutive++
	n := pc.consecutive
	pc.mu.Unlock()

	if cur := pc.lim.Pace(); cur > 0 {
		pc.lim.SetPace(cur * 0.8)
	}
	wait := time.Second
	if e != nil && e.RateLimit.Interval > 0 {
		wait = e.RateLimit.Interval / 10
	}
	wait <<= min(n-1, 6)
	if e != nil && e.RateLimit.Interval > 0 && wait > e.RateLimit.Interval {
		wait = e.RateLimit.Interval
	}
	if e != nil && e.RetryAfter > 0 {
		wait = e.RetryAfter
	}
	pc.lim.Pause(wait)
	return wait
}

// success records an answered request.
func (pc *pacer) success() {
	pc.mu.Lock()
	pc.consecutive = 0
	pc.mu.Unlock()
	if cur := pc.lim.Pace(); cur > 0 {
		pc.lim.SetPace(cur * 1.01)
	}
}
