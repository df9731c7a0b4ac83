package main

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
)

// fetchBudget is how long a fetch before the sync (the property listing,
// the account details) keeps retrying before it gives up.
const fetchBudget = 2 * time.Minute

// fetchBackoff spaces a fetch's retries.
var fetchBackoff = pipeline.Backoff{Base: time.Second, Max: 30 * time.Second}

// fetch makes the one request call before the sync starts (what names it
// in logs), through the limiter, and rides out what any request may meet:
// a 429 (the window may still be full from another app or the last run)
// is waited out and a transient failure retried with backoff, for about
// fetchBudget in all; then the last error is returned for the caller to
// classify. A wrong base URL is not retried: it is the first request.
func fetch[T any](ctx context.Context, lim *pipeline.Limiter, log *zap.Logger, what string, call func(context.Context) (T, error)) (T, error) {
	deadline := time.Now().Add(fetchBudget)
	var got T
	attempt := 0
	err := pipeline.Retry(ctx, func() (time.Duration, bool, error) {
		attempt++
		release, err := lim.Acquire(ctx)
		if err != nil {
			return 0, false, err
		}
		got, err = call(ctx)
		release()
		class := sink.Classify(err)
		if err == nil || (class != sink.ClassRateLimit && class != sink.ClassRetry) || sink.BadEndpoint(err) {
			return 0, false, err
		}
		wait := fetchWait(attempt, err)
		if time.Now().Add(wait).After(deadline) {
			return 0, false, err
		}
		log.Warn(what+" request failed, retrying", zap.Int("attempt", attempt), zap.Duration("wait", wait), zap.Error(err))
		return wait, true, nil
	})
	return got, err
}

// fetchWait is the wait after attempt failed with err: the backoff, or
// what the server asked for (Retry-After, the wait after a 423) when that
// is longer, up to a minute.
func fetchWait(attempt int, err error) time.Duration {
	return max(fetchBackoff.Wait(attempt, err), min(sink.MinWait(err), time.Minute))
}
