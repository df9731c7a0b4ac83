package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/checkpoint/syncstate"
	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink/mapping"
)

var _ pipeline.SyncState = (*syncstate.Store)(nil)

// openSyncState opens the sync state of an --only-changed run, once the
// preflight has passed: it asks HubSpot for the portal id (one request,
// through lim), then opens the state of the target, which writes the
// properties of mapper (nil: any), and closes it with the run. A dry run
// opens it read-only: it takes no lock and records nothing. It returns
// nil without --only-changed.
func (r *syncRun) openSyncState(ctx context.Context, lim *pipeline.Limiter, mapper *mapping.Mapper) (pipeline.SyncState, error) {
	o, log := r.req.o, r.req.log
	if !o.OnlyChanged {
		return nil, nil
	}
	portal, err := fetchPortal(ctx, r.client, lim, log)
	if err != nil {
		return nil, fmt.Errorf("--only-changed: learn the portal id: %w", err)
	}
	t := syncstate.Target{Portal: portal, Object: o.Object, IDProperty: o.IDProperty, Settings: r.pl.stateSettings(),
		Properties: writtenProperties(mapper)}
	store, err := syncstate.Open(t, syncstate.Options{Dir: r.stateDir, FullResync: o.FullResync, RefreshEvery: o.RefreshEvery, ReadOnly: o.DryRun})
	var locked *checkpoint.LockedError
	switch {
	case errors.As(err, &locked):
		return nil, usageError{fmt.Errorf("another --only-changed run on the same target (portal %s, object %s) is in progress, %s (lock %s): "+
			"two runs on one target would each send what the other confirms; wait for it to end, or stop it", portal, o.Object, locked.Holder(), locked.Path)}
	case err != nil:
		return nil, fmt.Errorf("--only-changed: %w", err)
	}
	r.closers = append(r.closers, store)
	r.state, r.res.syncState = store, store.Info().Dir
	logSyncState(log, store, o)
	if o.DryRun {
		return dryRunState{store}, nil
	}
	return store, nil
}

// writtenProperties are the properties a run with mapper writes, which
// its sync state records to learn when another target wrote the same
// ones (syncstate.Store.Stale); nil, meaning any, without a preflight.
func writtenProperties(mapper *mapping.Mapper) []string {
	if mapper == nil {
		return nil
	}
	return mapper.Properties()
}

// stateDir is where an --only-changed run keeps its sync states: --state-dir,
// else syncstate.DefaultDir. It is "" without --only-changed. It is
// settled before any request, so that a run that cannot have it (no home
// directory) costs none.
func stateDir(o syncOptions, getenv func(string) string) (string, error) {
	if !o.OnlyChanged || o.StateDir != "" {
		return o.StateDir, nil
	}
	return syncstate.DefaultDir(getenv)
}

// stateSettings are the settings that shape the values an --only-changed
// run sends, which its sync state binds to: those of the checkpoint
// (settings) but for what only says how the input file is read (its
// format, id column, delimiter, encoding) and where it goes (the portal
// stands for it, and the object and id property are the target's own).
// A nightly file that comes as CSV one night and JSON Lines the next
// keeps its state; a changed mapping or --empty does not. only_changed,
// always on here, is the checkpoint's alone.
func (pl *plan) stateSettings() map[string]string {
	s := pl.settings()
	for _, k := range []string{"object", "base_url", "format", "id_column", "id_property", "delimiter", "encoding", "only_changed"} {
		delete(s, k)
	}
	if pl.o.NoPreflight {
		s["preflight"] = "off" // values sent as read, without coercion
	}
	return s
}

// logSyncState says which state the run uses, and, when it has none yet
// though the same portal, object and id property have states kept with
// other settings, that those do not apply: every record is sent.
func logSyncState(log *zap.Logger, s *syncstate.Store, o syncOptions) {
	info := s.Info()
	log.Info("sync state", zap.String("target", info.ID), zap.String("dir", info.Dir), zap.Int64("records", info.Records),
		zap.Int64("generation", info.Generation), zap.Bool("full_resync", o.FullResync), zap.Int("refresh_every", o.RefreshEvery))
	if other, stale := s.Stale(); stale {
		log.Warn("another --only-changed target wrote some of the same properties since this one's last run "+
			"(other settings, such as another mapping or --time-zone); its state may not hold what HubSpot has: "+
			"sending every record, as --full-resync", zap.String("other_state", other.ID), zap.Time("its_last_run", other.LastRun))
		return
	}
	others := s.OtherSettings()
	if info.Generation > 0 || info.Records > 0 || len(others) == 0 {
		return
	}
	ids := make([]string, len(others))
	var last time.Time
	for i, other := range others {
		ids[i] = other.ID
		if other.LastRun.After(last) {
			last = other.LastRun
		}
	}
	log.Warn("the settings changed since the last --only-changed run on this portal, object and id property (mapping, --empty, …); "+
		"the old state does not apply: sending every record", zap.Strings("other_states", ids), zap.Time("their_last_run", last))
}

// finishSyncState ends the sync state of a run that read its whole input:
// what HubSpot confirmed becomes the state the next run compares with. It
// must not be called after a run that stopped early, whose records not
// read would count as no longer in the file.
func (r *syncRun) finishSyncState() error {
	if r.state == nil || r.req.o.DryRun {
		return nil
	}
	sum, err := r.state.Finish()
	if err != nil {
		return fmt.Errorf("--only-changed: save the sync state: %w", err)
	}
	r.req.log.Info("sync state saved", zap.Int64("records", sum.Records), zap.Int64("not_in_file", sum.NotInFile),
		zap.Int64("generation", sum.Generation))
	if !r.job.Resumed() {
		// A resumed run skipped what earlier runs settled, and those
		// records would count as not in the file.
		r.res.notInFile = &sum.NotInFile
	}
	return nil
}

// dryRunState is the read-only state of a dry run as the pipeline's
// SyncState: it tells what is unchanged, and the stand-in for HubSpot's
// confirmations are forgotten.
type dryRunState struct{ *syncstate.Store }

func (dryRunState) Intend([]syncstate.Entry) error { return nil }
func (dryRunState) Confirm(syncstate.Entry) error  { return nil }
func (dryRunState) Sync() error                    { return nil }
