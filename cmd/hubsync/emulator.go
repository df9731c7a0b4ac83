package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/hubsync/hubsync/emulator"
)

const emulatorUsage = `Usage: hubsync emulator [flags]

Run a local HubSpot emulator: a strict stand-in for
  POST /crm/v3/objects/{objectType}/batch/update
  GET  /crm/v3/properties/{objectType}
so that hubsync (or any client) can be tried without an account.

It reproduces HubSpot's wire behaviour as documented and observed: bearer-token
401s and missing-scope 403s, the rolling burst limit and daily quota with their
429 bodies and X-HubSpot-RateLimit-* headers, malformed-JSON 400s, whole-batch
VALIDATION_ERRORs (unknown or read-only properties, bad numbers, dates not at
midnight UTC, options sent by label, duplicate ids, more than 100 inputs,
idProperty that is not unique), 207 OBJECT_NOT_FOUND for missing ids, results
in shuffled order, and on request injected 5xx/423 answers, dropped
connections, slow answers and truncated bodies. Where HubSpot's behaviour is
unverified it picks the one strictest for the client.

Records 1..--seed-ids exist in every object type; record n's unique property
external_id holds --unique-format applied to n ("EXT-42"), so inputs may use
"idProperty": "external_id". The schema (object types and properties) is
configs/emulator-schema.json unless --schema names another.

It does not reproduce other endpoints (create, upsert, search, read), OAuth,
record creation, or per-portal time zones (the daily quota resets at midnight
UTC). The first line on stdout is "listening on http://HOST:PORT"; it serves
until interrupted.

Examples:
  # HubSpot's Free-tier limits on port 8080, token from the environment
  HUBSPOT_ACCESS_TOKEN=pat-local hubsync emulator

  # a free port, a flaky network, results in reversed order
  hubsync emulator --addr 127.0.0.1:0 --token pat-local \
      --fault-502 0.05 --fault-drop 0.01 --fault-slow 0.02 --slow-delay 30s \
      --result-order reverse

  # a Professional account that has nearly used up its day
  hubsync emulator --token pat-local --rate 190/10s --daily 500 --retry-after

  # then, in another terminal
  HUBSPOT_ACCESS_TOKEN=pat-local hubsync sync --base-url http://127.0.0.1:8080 \
      --object communications calls.csv

Flags:
`

// emulatorOptions are the emulator's command-line settings.
type emulatorOptions struct {
	addr, token, scopeless string
	rate                   rateFlag
	daily                  int
	seedIDs                int64
	uniqueFormat           string
	schema                 string
	order                  string
	noTraceEcho            bool
	retryAfter             bool
	acceptAll              bool
	seed                   int64
	faults                 emulator.Faults
	verbose                bool
}

func bindEmulatorFlags(fs *pflag.FlagSet, o *emulatorOptions) {
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`HOST:PORT` to listen on; port 0 picks a free port")
	fs.StringVar(&o.token, "token", "", "bearer `TOKEN` to accept (default: $HUBSPOT_ACCESS_TOKEN)")
	fs.StringVar(&o.scopeless, "scopeless-token", "", "a second `TOKEN` that authenticates but lacks the write scope (403 MISSING_SCOPES)")
	fs.Var(&o.rate, "rate", "burst limit N/DURATION over a rolling window, e.g. 190/10s; 0 = off")
	fs.IntVar(&o.daily, "daily", 0, "`N` requests allowed per UTC day; 0 = off")
	fs.Int64Var(&o.seedIDs, "seed-ids", 1_000_000, "records 1..`N` exist in every object type")
	fs.StringVar(&o.uniqueFormat, "unique-format", "EXT-%d", "seeded external_id of record n, a `FORMAT` with one integer verb")
	fs.StringVar(&o.schema, "schema", "", "JSON schema `FILE` of object types and properties (default: the built-in configs/emulator-schema.json)")
	fs.StringVar(&o.order, "result-order", "shuffle", "`ORDER` of results[]: shuffle, reverse or input")
	fs.BoolVar(&o.noTraceEcho, "no-trace-echo", false, "do not echo objectWriteTraceId in results")
	fs.BoolVar(&o.retryAfter, "retry-after", false, "send Retry-After on 429s (HubSpot does not document it)")
	fs.BoolVar(&o.acceptAll, "accept-all", false, "answer every well-formed batch 200 without checking values or storing records (for benchmarks of the client only)")
	fs.Int64Var(&o.seed, "seed", 1, "`N` seeds result shuffling and fault draws")
	fs.Float64Var(&o.faults.P500, "fault-500", 0, "probability `P` of answering 500 without applying the batch")
	fs.Float64Var(&o.faults.P502, "fault-502", 0, "probability `P` of answering 502 (HTML body) without applying")
	fs.Float64Var(&o.faults.P503, "fault-503", 0, "probability `P` of answering 503 (HTML body) without applying")
	fs.Float64Var(&o.faults.P504, "fault-504", 0, "probability `P` of answering 504 (HTML body) without applying")
	fs.Float64Var(&o.faults.P423, "fault-423", 0, "probability `P` of answering 423 Locked without applying")
	fs.Float64Var(&o.faults.PDrop, "fault-drop", 0, "probability `P` of closing the connection unanswered; the batch is applied half the time")
	fs.Float64Var(&o.faults.PSlow, "fault-slow", 0, "probability `P` of applying, then answering only after --slow-delay")
	fs.DurationVar(&o.faults.SlowDelay, "slow-delay", 5*time.Second, "`DURATION` of a slow answer")
	fs.Float64Var(&o.faults.PTruncate, "fault-truncate", 0, "probability `P` of applying, then sending half the body")
	fs.BoolVar(&o.verbose, "verbose", false, "log every request to stderr")
}

// runEmulator runs "hubsync emulator" until ctx is cancelled. It returns 0
// after a clean shutdown, 2 for a usage or configuration error and 1 when it
// cannot listen.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := emulatorOptions{rate: rateFlag{N: 100, Window: 10 * time.Second}}
	fs := pflag.NewFlagSet("emulator", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(stderr)
	bindEmulatorFlags(fs, &o)
	fs.Usage = func() {}
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		fmt.Fprint(stdout, emulatorUsage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return exitOK
	}
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var cfg emulator.Config
	if err == nil {
		cfg, err = o.config(os.Getenv)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hubsync emulator: %v\nRun 'hubsync emulator --help' for the flags.\n", err)
		return exitUsage
	}
	level := "info"
	if o.verbose {
		level = "debug"
	}
	log, err := newLogger("auto", level, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "hubsync emulator: %v\n", err)
		return exitUsage
	}
	defer func() { _ = log.Sync() }()
	cfg.Log = log

	srv, err := emulator.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "hubsync emulator: %v\n", err)
		return exitUsage
	}
	url, err := srv.Start(o.addr)
	if err != nil {
		fmt.Fprintf(stderr, "hubsync emulator: %v\n", err)
		return exitFatal
	}
	fmt.Fprintf(stdout, "listening on %s\n", url)
	log.Info("emulator ready", zap.String("url", url), zap.Stringer("rate", &o.rate), zap.Int("daily", o.daily),
		zap.Int64("seed_ids", o.seedIDs), zap.String("result_order", o.order), zap.Bool("faults", o.faults != emulator.Faults{SlowDelay: o.faults.SlowDelay}))

	<-ctx.Done()
	if err := srv.Close(); err != nil {
		log.Error("emulator stopped", zap.Error(err))
		return exitFatal
	}
	st := srv.Stats()
	log.Info("emulator stopped", zap.Int("requests", st.Requests), zap.Int("batch_requests", st.BatchRequests),
		zap.Int("records_applied", st.RecordsApplied), zap.Int("max_in_window", st.MaxInWindow), zap.Any("by_status", st.ByStatus))
	return exitOK
}

// config turns the options into an emulator configuration.
func (o emulatorOptions) config(getenv func(string) string) (emulator.Config, error) {
	token := o.token
	if token == "" {
		token = strings.TrimSpace(getenv("HUBSPOT_ACCESS_TOKEN"))
	}
	if token == "" {
		return emulator.Config{}, errors.New("no token: pass --token TOKEN or set HUBSPOT_ACCESS_TOKEN")
	}
	order, err := emulator.ParseOrder(o.order)
	if err != nil {
		return emulator.Config{}, fmt.Errorf("--result-order: %w", err)
	}
	cfg := emulator.Config{
		Token:          token,
		ScopelessToken: o.scopeless,
		Rate:           o.rate.N,
		Window:         o.rate.Window,
		Daily:          o.daily,
		SeedIDs:        o.seedIDs,
		UniqueFormat:   o.uniqueFormat,
		ResultOrder:    order,
		NoTraceEcho:    o.noTraceEcho,
		RetryAfter:     o.retryAfter,
		AcceptAll:      o.acceptAll,
		Faults:         o.faults,
		Seed:           o.seed,
	}
	if o.schema != "" {
		f, err := os.Open(o.schema)
		if err != nil {
			return emulator.Config{}, fmt.Errorf("open schema: %w", err)
		}
		defer f.Close()
		if cfg.Schema, err = emulator.LoadSchema(f); err != nil {
			return emulator.Config{}, fmt.Errorf("load schema %s: %w", o.schema, err)
		}
	}
	return cfg, nil
}
