package main

import (
	"context"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
)

// fetchPortal asks HubSpot which portal (account) the token belongs to and
// returns its id in decimal: the sync state of --only-changed is kept per
// portal, so it is asked once per run, and only then (docs/hubspot-api.md
// §15). Like fetchProperties it goes through the limiter, waits out 429s
// and retries transient failures with backoff for about two minutes, then
// returns the last error for the caller to classify; a 403 comes back with
// the client's hint on the scope. It logs the account at Info.
func fetchPortal(ctx context.Context, client *sink.Client, lim *pipeline.Limiter, log *zap.Logger) (string, error) {
	backoff := pipeline.Backoff{Base: time.Second, Max: 30 * time.Second}
	deadline := time.Now().Add(2 * time.Minute)
	var acct sink.AccountDetails
	attempt := 0
	err := pipeline.Retry(ctx, func() (time.Duration, bool, error) {
		attempt++
		release, err := lim.Acquire(ctx)
		if err != nil {
			return 0, false, err
		}
		acct, err = client.AccountDetails(ctx)
		release()
		class := sink.Classify(err)
		if err == nil || (class != sink.ClassRateLimit && class != sink.ClassRetry) ||
			sink.BadEndpoint(err) { // possibly the first request: a wrong URL, not an outage
			return 0, false, err
		}
		wait := backoff.Wait(attempt, err)
		if time.Now().Add(wait).After(deadline) {
			return 0, false, err
		}
		log.Warn("account details request failed, retrying", zap.Int("attempt", attempt), zap.Duration("wait", wait), zap.Error(err))
		return wait, true, nil
	})
	if err != nil {
		return "", err
	}
	portal := strconv.FormatInt(acct.PortalID, 10)
	log.Info("hubspot account", zap.String("portal", portal), zap.String("account_type", acct.AccountType),
		zap.String("time_zone", acct.TimeZone), zap.String("data_hosting", acct.DataHostingLocation))
	return portal, nil
}
