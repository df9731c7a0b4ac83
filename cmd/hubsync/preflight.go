package main

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/sink/mapping"
	"github.com/hubsync/hubsync/source"
)

// preflight fetches the object's property definitions once and checks the
// mapping against them and the header, before anything is written. A
// mistake in the mapping is a usage error listing every problem. The fetch
// takes a slot of the limiter like any request. With --no-preflight it does
// nothing and returns a nil Mapper: values are sent as they are.
//
// The first Ctrl-C or SIGTERM closes interrupt, which asks a run to stop
// cleanly; only the second cancels ctx. Before anything is sent there is
// nothing to finish, so the preflight gives up at once on the first, which
// is all that Kubernetes sends before SIGKILL at the end of its grace
// period, instead of waiting out its retries.
func preflight(ctx context.Context, interrupt <-chan struct{}, client *sink.Client, lim *pipeline.Limiter, pl *plan, header []string, log *zap.Logger) (*mapping.Mapper, error) {
	if pl.o.NoPreflight {
		if !isNoMapping(pl.mapping) {
			return nil, usageError{errors.New("--no-preflight sends values as they are: it cannot be used with a mapping, which needs the property definitions")}
		}
		log.Warn("preflight skipped: values are sent as they are, and HubSpot rejects what does not fit")
		return nil, nil
	}
	fetchCtx, stop := stopAfterDrain(ctx, interrupt, 0)
	props, err := fetchProperties(fetchCtx, client, lim, log)
	stop()
	select {
	case <-interrupt:
		return nil, &pipeline.StopError{Reason: "interrupted before anything was sent", Err: pipeline.ErrInterrupted}
	default:
	}
	if uerr := configErrorOf(pl.o, err); uerr != nil {
		return nil, uerr
	}
	if err != nil {
		err = fmt.Errorf("fetch the %s property definitions: %w", pl.o.Object, err)
		var api *sink.APIError
		if errors.As(err, &api) && api.StatusCode == 403 {
			return nil, fmt.Errorf("%w\nthe token may lack the read scope of the properties API: add it to the private app, or pass --no-preflight to send values unchecked", err)
		}
		if sink.Classify(err) == sink.ClassFatal {
			return nil, err
		}
		return nil, &pipeline.StopError{Reason: "HubSpot did not answer the preflight check; nothing was sent", Err: err}
	}
	m, err := mapping.New(pl.mapping, props, header, pl.o.IDColumn, pl.o.IDProperty)
	if err != nil {
		return nil, usageError{fmt.Errorf("the input does not fit the %s properties; nothing was sent:\n%w", pl.o.Object, err)}
	}
	if err := checkJSONLKeys(pl, m, props); err != nil {
		return nil, err
	}
	for _, lm := range m.LabelMatches() {
		log.Info("column named by a property's label", zap.String("column", lm.Column), zap.String("property", lm.Property))
	}
	log.Info("preflight passed", zap.Int("properties", len(props)), zap.Strings("writes", m.Properties()))
	return m, nil
}

// fetchProperties gets the property definitions, through the limiter,
// retrying as fetch does.
func fetchProperties(ctx context.Context, client *sink.Client, lim *pipeline.Limiter, log *zap.Logger) ([]sink.Property, error) {
	return fetch(ctx, lim, log, "preflight", client.Properties)
}

// isNoMapping reports whether c asks for nothing beyond sending the input's
// columns as they are.
func isNoMapping(c mapping.Config) bool {
	c.Empty = ""
	if len(c.Columns) == 0 {
		c.Columns = nil
	}
	if len(c.Constants) == 0 {
		c.Constants = nil
	}
	return reflect.DeepEqual(c, mapping.Config{})
}

// mappingConfig is the mapping: key of the config with the mapping flags
// over it. The top-level --empty decides what an empty CSV cell means; in
// JSON Lines an absent key leaves a property alone and "" or null clears it.
func (o syncOptions) mappingConfig(format source.Format) (mapping.Config, error) {
	c := o.Mapping
	if c.Empty != "" {
		return c, fmt.Errorf("mapping.empty: use the top-level empty key (or --empty), or mapping.properties.NAME.empty for one property")
	}
	c.Empty = o.Empty
	if format == source.JSONL {
		c.Empty = mapping.EmptyClear
	}
	c.Columns = cloneMap(c.Columns)
	c.Constants = cloneMap(c.Constants)
	for _, kv := range o.MapFlags {
		col, prop, ok := strings.Cut(kv, "=")
		if !ok || col == "" || prop == "" {
			return c, fmt.Errorf("--map %q: want COLUMN=PROPERTY", kv)
		}
		c.Columns[col] = prop
	}
	for _, col := range o.DropFlags {
		c.Columns[col] = "-"
	}
	for _, kv := range o.SetFlags {
		prop, v, ok := strings.Cut(kv, "=")
		if !ok || prop == "" {
			return c, fmt.Errorf("--set %q: want PROPERTY=VALUE", kv)
		}
		c.Constants[prop] = v
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("mapping: %w", err)
	}
	return c, nil
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
