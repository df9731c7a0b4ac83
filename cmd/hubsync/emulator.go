package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/hubsync/hubsync/emulator"
)

const emulatorUsage = `Usage: hubsync emulator [flags]

Run a local HubSpot emulator: a strict stand-in for
  POST /crm/v3/objects/{objectType}/batch/update
  GET  /crm/v3/properties/{objectType}
  GET  /account-info/v3/details (the portal id of --portal-id, else a random one)
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
UTC). The first line on stdout is "listening on http://HOST:PORT", HOST as
--addr gives it; it serves until interrupted.

Tokens: it accepts the bearer token of --token or --token-file, or else a
token it generates, printed on the second line of stdout ("token TOKEN"). It
never takes $HUBSPOT_ACCESS_TOKEN, so that a production token cannot end up
in a test server. To point hubsync at it, give hubsync that token and the
URL: HUBSPOT_ACCESS_TOKEN=TOKEN hubsync sync --base-url http://HOST:PORT ...

It listens on loopback only unless --allow-remote is given: it accepts any
well-formed record, has no TLS, and its token is for tests, so other
machines should not reach it by mistake (--addr :8080 means every network
interface).

Examples:
  # HubSpot's Free-tier limits on port 8080, with a generated token it prints
  hubsync emulator

  # a chosen token, a free port, a flaky network, results in reversed order
  hubsync emulator --addr 127.0.0.1:0 --token pat-local \
      --fault-502 0.05 --fault-drop 0.01 --fault-slow 0.02 --slow-delay 30s \
      --result-order reverse

  # a Professional account that has nearly used up its day
  hubsync emulator --token pat-local --rate 190/10s --daily 500 --retry-after

  # then, in another terminal, with the token it accepts
  HUBSPOT_ACCESS_TOKEN=pat-local hubsync sync --base-url http://127.0.0.1:8080 \
      --object communications calls.csv

Flags:
`

// emulatorOptions are the emulator's command-line settings.
type emulatorOptions struct {
	addr, token, scopeless string
	tokenFile              string
	allowRemote            bool
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
	portalID               int64 // 0 when --portal-id is not given: the emulator picks one
	faults                 emulator.Faults
	verbose                bool
}

func bindEmulatorFlags(fs *pflag.FlagSet, o *emulatorOptions) {
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`HOST:PORT` to listen on; port 0 picks a free port; a host other than loopback needs --allow-remote")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow an --addr that other machines can reach (every interface, or an address not on loopback)")
	fs.StringVar(&o.token, "token", "", "bearer `TOKEN` to accept (default: a generated one, printed; never $HUBSPOT_ACCESS_TOKEN)")
	fs.StringVar(&o.tokenFile, "token-file", "", "read the bearer token to accept from `FILE`")
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
	fs.Int64Var(&o.portalID, "portal-id", 0, "portal (account) `ID` the account-details route answers, a positive number (default: a random one, new each start, above the int32 range)")
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
// cannot listen. getenv is only asked whether $HUBSPOT_ACCESS_TOKEN is set,
// to say that it is not used.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
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
	if err == nil && fs.Changed("portal-id") && o.portalID <= 0 {
		err = fmt.Errorf("--portal-id %d: want a positive number", o.portalID)
	}
	if err == nil {
		err = checkListenAddr(o.addr, o.allowRemote)
	}
	level := "info"
	if o.verbose {
		level = "debug"
	}
	log, lerr := newLogger("auto", level, stderr)
	if lerr != nil {
		fmt.Fprintf(stderr, "hubsync emulator: %v\n", lerr)
		return exitUsage
	}
	defer func() { _ = log.Sync() }()
	var cfg emulator.Config
	if err == nil {
		cfg, err = o.config(log)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hubsync emulator: %v\nRun 'hubsync emulator --help' for the flags.\n", err)
		return exitUsage
	}
	cfg.Log = log
	generated := cfg.Token == ""
	if generated {
		cfg.Token = generateToken()
	}

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
	fmt.Fprintf(stdout, "listening on %s\n", listenURL(o.addr, url))
	if generated {
		fmt.Fprintf(stdout, "token %s\n", cfg.Token)
	}
	if host, _, _ := net.SplitHostPort(o.addr); !isLoopbackHost(host) {
		log.Warn("the emulator can be reached from other machines (--allow-remote)", zap.String("addr", o.addr), zap.String("local_url", url))
	}
	if o.token == "" && o.tokenFile == "" && getenv("HUBSPOT_ACCESS_TOKEN") != "" {
		log.Warn("HUBSPOT_ACCESS_TOKEN is set but not used: the emulator accepts only the token it printed (or --token, --token-file), never one from the environment")
	}
	log.Info("emulator ready", zap.String("url", url), zap.Stringer("rate", &o.rate), zap.Int("daily", o.daily),
		zap.Int64("seed_ids", o.seedIDs), zap.String("result_order", o.order), zap.Bool("faults", o.faults != emulator.Faults{SlowDelay: o.faults.SlowDelay}),
		zap.String("sync_with", "HUBSPOT_ACCESS_TOKEN=<its token> hubsync sync --base-url "+url+" --object TYPE FILE"))

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

// config turns the options into an emulator configuration. Its Token is
// empty when neither --token nor --token-file gives one.
func (o emulatorOptions) config(log *zap.Logger) (emulator.Config, error) {
	token := o.token
	if o.tokenFile != "" {
		if token != "" {
			return emulator.Config{}, errors.New("pass --token or --token-file, not both")
		}
		var err error
		if token, err = readTokenFile(o.tokenFile, log); err != nil {
			return emulator.Config{}, err
		}
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
		PortalID:       o.portalID,
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
