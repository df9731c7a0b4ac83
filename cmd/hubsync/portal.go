package main

import (
	"context"
	"strconv"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
)

// fetchPortal asks HubSpot which portal (account) the token belongs to and
// returns its id in decimal: the sync state of --only-changed is kept per
// portal, so it is asked once per run, and only then (docs/hubspot-api.md
// §15). It goes through the limiter and retries as fetch does; a 403
// comes back with the client's hint on the scope. It logs the account at
// Info.
func fetchPortal(ctx context.Context, client *sink.Client, lim *pipeline.Limiter, log *zap.Logger) (string, error) {
	acct, err := fetch(ctx, lim, log, "account details", client.AccountDetails)
	if err != nil {
		return "", err
	}
	portal := strconv.FormatInt(acct.PortalID, 10)
	log.Info("hubspot account", zap.String("portal", portal), zap.String("account_type", acct.AccountType),
		zap.String("time_zone", acct.TimeZone), zap.String("data_hosting", acct.DataHostingLocation))
	return portal, nil
}
