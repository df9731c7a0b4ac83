package main

import (
	"errors"
	"fmt"

	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
)

// objectKinds is what --object takes, for the message about one HubSpot
// does not know.
const objectKinds = "an object name (communications, contacts, companies, deals, tickets, calls, emails, meetings, notes, tasks, " +
	"products, line_items, quotes, or a custom object's name) or an object type id: 0-N for HubSpot's own objects " +
	"(0-1 contacts, 0-2 companies, 0-3 deals, 0-5 tickets, 0-18 communications), 2-N for a custom object " +
	"(its id is in HubSpot under Settings > Data Management > Objects)"

// configErrorOf returns a usage error when err, from the first request of
// a sync (the preflight's, or with --no-preflight the first batch's), says
// the base URL or the object type is wrong: a rerun would fail the same
// way, so the run ends at once with status 2 instead of retrying for
// minutes as if HubSpot were down. It returns nil for any other error.
func configErrorOf(o syncOptions, err error) error {
	switch {
	case err == nil:
		return nil
	case sink.UnknownObjectType(err):
		return usageError{fmt.Errorf("--object %q: HubSpot knows no such object type (%w); use %s", o.Object, err, objectKinds)}
	case sink.BadEndpoint(err) || errors.Is(err, pipeline.ErrBadEndpoint):
		var api *sink.APIError
		if errors.As(err, &api) {
			return usageError{fmt.Errorf("%s answered %d Not Found (%w): --base-url must be the API root, "+
				"https://api.hubapi.com for HubSpot or the URL the emulator prints, without a path (if it is, check --object %q); nothing was sent",
				o.BaseURL, api.StatusCode, err, o.Object)}
		}
		return usageError{fmt.Errorf("cannot reach HubSpot at %s (%w): check --base-url (https://api.hubapi.com for HubSpot, "+
			"or the URL the emulator prints) and that this machine can reach it; nothing was sent", o.BaseURL, err)}
	}
	return nil
}

// runConfigError is configErrorOf for the error that ended a run's
// pipeline: only the errors that the pipeline judged on its first requests
// (pipeline.ErrBadEndpoint) and an unknown object type are configuration
// errors there; a 404 or a refused connection after requests went
// through is not. It returns err unchanged otherwise.
func runConfigError(o syncOptions, err error) error {
	if errors.Is(err, pipeline.ErrBadEndpoint) || sink.UnknownObjectType(err) {
		return configErrorOf(o, err)
	}
	return err
}
