package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/hubsync/hubsync/sink/mapping"
)

// syncOptions are the settings of a sync, from the config file and flags.
// Each yaml key matches the flag of the same name with '-' for '_'.
type syncOptions struct {
	Object         string `yaml:"object"`
	BaseURL        string `yaml:"base_url"`
	Format         string `yaml:"format"`
	IDColumn       string `yaml:"id_column"`
	IDProperty     string `yaml:"id_property"`
	Delimiter      string `yaml:"delimiter"`
	Encoding       string `yaml:"encoding"`
	BatchSize      int    `yaml:"batch_size"`
	Workers        int    `yaml:"workers"`
	Rate           string `yaml:"rate"`
	DeadLetter     string `yaml:"dead_letter"`
	Checkpoint     string `yaml:"checkpoint"`
	DailyReserve   string `yaml:"daily_reserve"`
	MaxDeadLetters string `yaml:"max_dead_letters"` // N|P%|none: stop when the job has more dead letters
	RequestTimeout string `yaml:"request_timeout"`
	Restart        bool   `yaml:"-"` // a flag only: never make a config file discard progress
	Empty          string `yaml:"empty"`
	TokenFile      string `yaml:"token_file"`
	MaxRecordBytes int    `yaml:"max_record_bytes"`
	LogFormat      string `yaml:"log_format"`
	LogLevel       string `yaml:"log_level"`
	Progress       string `yaml:"progress"`
	Report         string `yaml:"report"`
	OnNewInput     string `yaml:"on_new_input"`  // refuse|restart: a new input over an unfinished job
	KeepArchives   int    `yaml:"keep_archives"` // archived checkpoints and dead-letter files kept per job; 0 = all

	// --only-changed and what goes with it (see onlychanged.go).
	OnlyChanged  bool   `yaml:"only_changed"`  // send only records whose values differ from what HubSpot last confirmed
	StateDir     string `yaml:"state_dir"`     // where sync states live ("": syncstate.DefaultDir)
	FullResync   bool   `yaml:"full_resync"`   // send every record and rebuild the state
	RefreshEvery int    `yaml:"refresh_every"` // also re-send a rotating 1/N of the unchanged records; 0 = never

	// Mapping renames and drops columns, sets constants and tells how to
	// read values (see package mapping). The flags below add to it.
	Mapping   mapping.Config `yaml:"mapping"`
	MapFlags  []string       `yaml:"-"` // --map COLUMN=PROPERTY
	DropFlags []string       `yaml:"-"` // --drop COLUMN
	SetFlags  []string       `yaml:"-"` // --set PROPERTY=VALUE
	DryRun    bool           `yaml:"-"` // a flag only: a config file always means a real run

	NoPreflight bool `yaml:"no_preflight"`

	// idColumnGiven is set when --id-column or id_column named the id
	// column: only without it is the column taken from the file.
	idColumnGiven bool
	src           settingSources // where each setting came from, for messages
}

func defaultSyncOptions() syncOptions {
	return syncOptions{
		BaseURL:        "https://api.hubapi.com",
		IDColumn:       "id",
		Delimiter:      "auto",
		Encoding:       "utf-8",
		BatchSize:      100,
		Workers:        4,
		Rate:           "100/10s",
		Empty:          "skip",
		MaxRecordBytes: 1 << 20,
		RequestTimeout: "60s",
		MaxDeadLetters: defaultMaxDeadLetters,
		LogFormat:      "auto",
		LogLevel:       "info",
		Progress:       "auto",
		OnNewInput:     newInputRefuse,
		KeepArchives:   defaultKeepArchives,
	}
}

// maxConfigBytes bounds a config file: a real one is a few KiB, and a
// path slip (a log file, a device) must fail instead of filling memory or
// being cut silently at some limit.
const maxConfigBytes = 1 << 20

// loadConfig reads a YAML config file over opts. Unknown keys are an error,
// so that a misspelt key does not silently fall back to a default; so are a
// file over maxConfigBytes and a second YAML document, which would otherwise
// be ignored without a word.
func loadConfig(r io.Reader, opts *syncOptions) error {
	data, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return err
	}
	if len(data) > maxConfigBytes {
		return fmt.Errorf("the file is over %d bytes (1 MiB), too large for a config: check the --config path", maxConfigBytes)
	}
	if err := checkConfigKeys(data, opts); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(opts); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	opts.idColumnGiven = opts.idColumnGiven || configSets(data, "id_column")
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if !emptyDocument(&doc) {
			return fmt.Errorf("line %d: a second YAML document (after ---), which would be ignored: put every setting in one document", doc.Line)
		}
	}
}

// emptyDocument reports whether doc holds nothing, as after a trailing
// "---".
func emptyDocument(doc *yaml.Node) bool {
	for _, n := range doc.Content {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!null" {
			return false
		}
	}
	return true
}

// loadConfigFile is loadConfig on a named file, with the file in the error.
func loadConfigFile(path string, opts *syncOptions) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	if err := loadConfig(f, opts); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	opts.src.configFile = path
	return nil
}

// bindSyncFlags defines the sync flags on fs, writing into flags.
func bindSyncFlags(fs *pflag.FlagSet, o *syncOptions) {
	fs.StringVar(&o.Object, "object", o.Object, "object `TYPE` name or id: communications, 0-18, contacts, 2-123, … (required)")
	fs.StringVar(&o.BaseURL, "base-url", o.BaseURL, "API root `URL`; plain http:// only for loopback hosts such as the emulator")
	fs.StringVar(&o.Format, "format", o.Format, "input `FORMAT`, csv or jsonl (default: from the extension .csv, .jsonl, .ndjson)")
	fs.Var(&idColumnFlag{o}, "id-column", "column or JSON key `NAME` that holds the record id; without the flag, id or else HubSpot's export column Record ID or hs_object_id")
	fs.StringVar(&o.Delimiter, "delimiter", o.Delimiter, "CSV `DELIMITER`: \",\", \";\", tab, or auto: the one the header row holds most (\",\" on a tie)")
	fs.StringVar(&o.Encoding, "encoding", o.Encoding, "CSV `ENCODING`: utf-8, utf-16, windows-1252 or latin-1; a byte order mark at the start of the file overrides it")
	fs.StringVar(&o.IDProperty, "id-property", o.IDProperty, "send idProperty: the ids are values of the unique-value property `NAME`")
	fs.IntVar(&o.BatchSize, "batch-size", o.BatchSize, "`N` records per request, 1..100")
	fs.IntVar(&o.Workers, "workers", o.Workers, "`N` requests in flight at once, 1..64")
	fs.StringVar(&o.Rate, "rate", o.Rate, "`N/DURATION`: never start more than N requests in any rolling DURATION (100/10s, 190/10s, 20/1s; 0 = no limit); DURATION 100ms..24h, at most 1000 requests a second")
	fs.StringVar(&o.DeadLetter, "dead-letter", o.DeadLetter, "`FILE` for failed records (default: NAME.dead-letter.csv or .jsonl next to the input NAME.csv)")
	fs.StringVar(&o.Checkpoint, "checkpoint", o.Checkpoint, "progress `FILE`, so that a rerun resumes (default: INPUT.checkpoint.json next to the input)")
	fs.BoolVar(&o.Restart, "restart", o.Restart, "start the job over from the beginning: the checkpoint and the dead-letter file are archived (moved aside to FILE.prev-TIME), not deleted")
	fs.StringVar(&o.DailyReserve, "daily-reserve", o.DailyReserve, "stop resumably before the account's daily requests left fall to `N|P%`: a count, or a percentage of the daily allowance, kept for other integrations")
	fs.StringVar(&o.MaxDeadLetters, "max-dead-letters", o.MaxDeadLetters, "stop resumably, with status 6, once the job has more than `N|P%|none` records in the dead-letter file: a count, or a percentage of the records settled, judged from the first 1,000 records on; the default 50% stops a file in which everything fails after 1,000 records; none (or 100%) never stops")
	fs.StringVar(&o.RequestTimeout, "request-timeout", o.RequestTimeout, "give up on one request after `DURATION` and retry it, 1s..1h")
	fs.StringVar(&o.Empty, "empty", o.Empty, "what an empty CSV cell means, `skip|clear`: leave the property alone, or send \"\" to clear it")
	fs.StringVar(&o.TokenFile, "token-file", o.TokenFile, "read the access token from `FILE` instead of $HUBSPOT_ACCESS_TOKEN")
	fs.IntVar(&o.MaxRecordBytes, "max-record-bytes", o.MaxRecordBytes, "longest record accepted, in `BYTES` (1 KiB..1 GiB); a longer one (a long quoted CSV cell included) is dead-lettered whole as RECORD_TOO_LARGE, never split into rows. HubSpot caps a text property at 65,536 characters: a longer cell under this limit is dead-lettered as VALUE_TOO_LONG")
	fs.StringVar(&o.LogFormat, "log-format", o.LogFormat, "log output `FORMAT`: auto (console on a terminal, else json), console or json")
	fs.BoolVar(&o.DryRun, "dry-run", o.DryRun, "read and check the whole file, write what would fail to NAME.dry-run.dead-letter.csv (or --dead-letter), send no write, and print the counts, the requests needed and the time they take at --rate")
	fs.BoolVar(&o.NoPreflight, "no-preflight", o.NoPreflight, "do not fetch the property definitions: send values as they are (for a token without the properties read scope; no mapping then)")
	fs.StringArrayVar(&o.MapFlags, "map", nil, "send column COLUMN as property PROPERTY: `COLUMN=PROPERTY` (repeatable; adds to mapping.columns)")
	fs.StringArrayVar(&o.DropFlags, "drop", nil, "do not send `COLUMN` (repeatable)")
	fs.StringArrayVar(&o.SetFlags, "set", nil, "send `PROPERTY=VALUE` on every record (repeatable; adds to mapping.constants)")
	fs.BoolVar(&o.Mapping.IgnoreUnmapped, "ignore-unmapped", o.Mapping.IgnoreUnmapped, "drop columns that are neither mapped nor a property, instead of refusing to start")
	fs.BoolVar(&o.Mapping.MatchLabels, "match-labels", o.Mapping.MatchLabels, "let enumeration values match an option's label too (case-insensitive)")
	fs.StringSliceVar(&o.Mapping.DateLayouts, "date-layout", o.Mapping.DateLayouts, "Go time `LAYOUT` of date values, e.g. 01/02/2006 (repeatable, tried in order; default 2006-01-02)")
	fs.StringSliceVar(&o.Mapping.DateTimeLayouts, "datetime-layout", o.Mapping.DateTimeLayouts, "Go time `LAYOUT` of datetime values (repeatable; default RFC 3339 forms and epoch ms)")
	fs.StringVar(&o.Mapping.TimeZone, "time-zone", o.Mapping.TimeZone, "IANA `ZONE` of datetimes written without an offset (default UTC)")
	fs.StringVar(&o.Mapping.MultiSeparator, "multi-separator", o.Mapping.MultiSeparator, "`SEP` between the values of a multi-select cell, e.g. \",\" (default ;)")
	fs.StringVar(&o.Mapping.ThousandsSeparator, "thousands-separator", o.Mapping.ThousandsSeparator, "`SEP` between groups of three digits to strip from numbers, e.g. \",\" (default: none; a separator is an error)")
	fs.StringVar(&o.Progress, "progress", o.Progress, "progress display, `auto|always|never`: a live bar on a terminal (auto) or always; otherwise a log line every 10 s")
	fs.StringVar(&o.Report, "report", o.Report, "write a JSON report of the run to `FILE` at its end (counts, requests, timings, paths, exit status; no secrets)")
	fs.StringVar(&o.OnNewInput, "on-new-input", o.OnNewInput, "when the input is a new file but the last job on it is unfinished, `refuse|restart`: stop with status 2, or archive the unfinished job and start the new file")
	fs.IntVar(&o.KeepArchives, "keep-archives", o.KeepArchives, "keep the `N` newest archived checkpoints and dead-letter files of this job (FILE.prev-TIME), removing older ones; 0 keeps all")
	fs.StringVar(&o.LogLevel, "log-level", o.LogLevel, "log `LEVEL`: debug, info, warn or error")
	fs.BoolVar(&o.OnlyChanged, "only-changed", o.OnlyChanged, "send a record only when the values it would send differ from those HubSpot last confirmed for it; the others count as unchanged. For nightly full exports: an unchanged night sends nothing. The confirmed values are kept per portal, object, id property and mapping in --state-dir (see 'hubsync state --help')")
	fs.StringVar(&o.StateDir, "state-dir", o.StateDir, "keep the --only-changed sync states in `DIR`, one folder per target (default $XDG_STATE_HOME/hubsync, else ~/.local/state/hubsync)")
	fs.BoolVar(&o.FullResync, "full-resync", o.FullResync, "with --only-changed: send every record this once and record what HubSpot confirms, after someone edited records in HubSpot by hand")
	fs.IntVar(&o.RefreshEvery, "refresh-every", o.RefreshEvery, "with --only-changed: also re-send a rotating 1/`N` of the unchanged records each run, so every record is re-sent at least every N runs and hand edits in HubSpot heal by themselves (30 for a nightly load: each night sends about 3% more; 0 never)")
}
