package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap/zapcore"

	"github.com/hubsync/hubsync/chunker"
	"github.com/hubsync/hubsync/sink/mapping"
	"github.com/hubsync/hubsync/source"
)

// settingSources tells where each setting of a sync came from, so that a
// message names it the way the user wrote it: the flag they typed, or the
// key of their config file.
type settingSources struct {
	configFile string          // --config; "" without one
	configKeys map[string]bool // every key path the config file sets: "batch_size", "mapping.match_labels", …
	typed      map[string]bool // the flags on the command line, by name: "batch-size"
}

// mappingFlags are the flags that set a key under mapping:. Every other
// flag sets the top-level key of its name with '_' for '-'.
var mappingFlags = map[string]string{
	"ignore-unmapped":     "mapping.ignore_unmapped",
	"match-labels":        "mapping.match_labels",
	"date-layout":         "mapping.date_layouts",
	"datetime-layout":     "mapping.datetime_layouts",
	"time-zone":           "mapping.time_zone",
	"multi-separator":     "mapping.multi_separator",
	"thousands-separator": "mapping.thousands_separator",
	"map":                 "mapping.columns",
	"drop":                "mapping.columns",
	"set":                 "mapping.constants",
}

// flagOf is the flag that sets the config key: "--batch-size" for
// "batch_size", "--match-labels" for "mapping.match_labels"; "" for a key
// that no flag sets (mapping.properties.…, mapping.decimal_comma).
func flagOf(key string) string {
	for flag, k := range mappingFlags {
		if k == key && flag != "drop" {
			return "--" + flag
		}
	}
	if strings.Contains(key, ".") || key == "decimal_comma" {
		return ""
	}
	return "--" + strings.ReplaceAll(key, "_", "-")
}

// typedFlags returns the names of the flags set on fs's command line.
func typedFlags(fs *pflag.FlagSet) map[string]bool {
	typed := map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { typed[f.Name] = true })
	return typed
}

// fromConfig reports whether the setting of key came from the config file:
// the file sets it and no flag on the command line overrides it.
func (s settingSources) fromConfig(key string) bool {
	if !s.configKeys[key] {
		return false
	}
	flag := strings.TrimPrefix(flagOf(key), "--")
	return flag == "" || !s.typed[flag]
}

// setting names the setting of key with its value, as the user wrote it:
// `--batch-size 500` when it came from the command line (or is the
// default), `batch_size 500 (from nightly.yaml)` when it came from the
// config file.
func (o syncOptions) setting(key string, value any) string {
	v := fmt.Sprint(value)
	if s, ok := value.(string); ok && (s == "" || strings.ContainsAny(s, " \t\n\"'\\")) {
		v = fmt.Sprintf("%q", s)
	}
	if o.src.configFile != "" && (o.src.fromConfig(key) || flagOf(key) == "") {
		return fmt.Sprintf("%s %s (from %s)", key, v, o.src.configFile)
	}
	return flagOf(key) + " " + v
}

// Bounds of the settings, checked before anything is opened or sent.
const (
	maxWorkers        = 64 // as pipeline.Config allows; HubSpot's burst limits make more useless
	maxRatePerSecond  = 1000
	minRateWindow     = 100 * time.Millisecond
	maxRateWindow     = 24 * time.Hour
	minRequestTimeout = time.Second
	maxRequestTimeout = time.Hour
	minMaxRecordBytes = 1 << 10
	maxMaxRecordBytes = 1 << 30
)

// checkSettings refuses settings out of their range, naming each as the
// user wrote it and saying what would do. It runs before the token is read
// and before any request, so that a typo costs no API call.
func checkSettings(o syncOptions) error {
	if o.BatchSize < 1 || o.BatchSize > chunker.MaxSize {
		return fmt.Errorf("%s: HubSpot takes 1 to %d records per batch request; want a number in that range (100 is fastest)",
			o.setting("batch_size", o.BatchSize), chunker.MaxSize)
	}
	if o.Workers < 1 || o.Workers > maxWorkers {
		return fmt.Errorf("%s: want 1 to %d requests in flight (4 keeps up with any rate HubSpot allows)", o.setting("workers", o.Workers), maxWorkers)
	}
	if err := checkRate(o.Rate); err != nil {
		return fmt.Errorf("%s: %w", o.setting("rate", o.Rate), err)
	}
	if d, err := time.ParseDuration(o.RequestTimeout); err != nil || d < minRequestTimeout || d > maxRequestTimeout {
		return fmt.Errorf("%s: want a duration from %s to %s, such as 60s", o.setting("request_timeout", o.RequestTimeout), minRequestTimeout, maxRequestTimeout)
	}
	if o.MaxRecordBytes < minMaxRecordBytes || o.MaxRecordBytes > maxMaxRecordBytes {
		return fmt.Errorf("%s: want %d (1 KiB) to %d (1 GiB) bytes; the default is %d (1 MiB)",
			o.setting("max_record_bytes", o.MaxRecordBytes), minMaxRecordBytes, maxMaxRecordBytes, defaultSyncOptions().MaxRecordBytes)
	}
	if _, _, err := parseReserve(o.DailyReserve); err != nil {
		return fmt.Errorf("%s: want a number of requests or a percentage of the daily allowance, such as 5000 or 10%%", o.setting("daily_reserve", o.DailyReserve))
	}
	if o.Format != "" {
		if _, err := source.ParseFormat(o.Format); err != nil {
			return fmt.Errorf("%s: want csv or jsonl", o.setting("format", o.Format))
		}
	}
	if _, err := source.ParseEmptyMode(o.Empty); err != nil {
		return fmt.Errorf("%s: want skip (an empty CSV cell leaves the property alone) or clear (it sends \"\")", o.setting("empty", o.Empty))
	}
	if _, err := parseProgressMode(o.Progress); err != nil {
		return fmt.Errorf("%s: want auto, always or never", o.setting("progress", o.Progress))
	}
	switch o.LogFormat {
	case "", "auto", "console", "json":
	default:
		return fmt.Errorf("%s: want auto, console or json", o.setting("log_format", o.LogFormat))
	}
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return fmt.Errorf("%s: want debug, info, warn or error", o.setting("log_level", o.LogLevel))
	}
	return checkOnlyChanged(o)
}

// checkOnlyChanged refuses the settings of --only-changed without it:
// they would do nothing, and the user believes they do something.
func checkOnlyChanged(o syncOptions) error {
	if o.RefreshEvery < 0 {
		return fmt.Errorf("%s: want a number of runs, such as 30, or 0 to re-send unchanged records never", o.setting("refresh_every", o.RefreshEvery))
	}
	if o.OnlyChanged {
		return nil
	}
	if o.FullResync {
		return fmt.Errorf("%s: it rebuilds the sync state of --only-changed; pass --only-changed too (a run without it sends every record anyway)", o.setting("full_resync", true))
	}
	if o.RefreshEvery > 0 {
		return fmt.Errorf("%s: it re-sends some unchanged records of --only-changed; pass --only-changed too", o.setting("refresh_every", o.RefreshEvery))
	}
	return nil
}

// checkRate checks a --rate value: 0 (no limit), or N requests in a window
// that HubSpot could mean, at a pace it could serve. A value outside is a
// typo far more often than a wish (1900/1s for 190/10s).
func checkRate(s string) error {
	r, err := parseRate(s)
	if err != nil {
		return fmt.Errorf("want N/DURATION, such as 100/10s (Free and Starter), 190/10s (Professional and Enterprise), or 0 for no limit")
	}
	if r.N == 0 {
		return nil
	}
	if r.Window < minRateWindow || r.Window > maxRateWindow {
		return fmt.Errorf("the window must be from %s to %s; HubSpot counts requests per 10s and per day", minRateWindow, formatWindow(maxRateWindow))
	}
	if perSec := float64(r.N) / r.Window.Seconds(); perSec > maxRatePerSecond {
		return fmt.Errorf("that is %.0f requests a second, more than the %d hubsync allows (HubSpot's limits are 100/10s to 250/10s); use 0 for no limit",
			perSec, maxRatePerSecond)
	}
	return nil
}

// inUserTerms rewords err, the mapping's check of its settings, in the
// user's terms. Each of its lines starts with a key under mapping:
// ("mapping.time_zone …"); where a flag set it, the line names the flag
// instead ("--time-zone …"). err stays wrapped.
func (o syncOptions) inUserTerms(err error) error {
	lines := strings.Split(strings.TrimPrefix(err.Error(), "mapping: "), "\n")
	for i, line := range lines {
		key, _, _ := strings.Cut(line, " ")
		key = strings.TrimSuffix(key, ":")
		flag := flagOf(key)
		if !strings.HasPrefix(key, "mapping.") || flag == "" || o.src.fromConfig(key) {
			continue
		}
		lines[i] = flag + line[len(key):]
	}
	return reworded{msg: strings.Join(lines, "\n"), err: err}
}

// reworded is err told in other words.
type reworded struct {
	msg string
	err error
}

func (e reworded) Error() string { return e.msg }
func (e reworded) Unwrap() error { return e.err }

// rewordPreflight rewords the problems of a preflight error (a
// *mapping.PreflightError in err's chain) that a --map or --set flag
// caused, to name the flag as typed instead of the config key the mapping
// package names: `--map Body=hs_body maps column "Body" to …` rather than
// `mapping.columns maps column "Body" to …`. The result wraps err; other
// errors are returned as they are.
func (o syncOptions) rewordPreflight(err error) error {
	var pe *mapping.PreflightError
	if !errors.As(err, &pe) {
		return err
	}
	msg := err.Error()
	changed := false
	for _, p := range pe.Problems {
		if m := o.problemInUserTerms(p); m != p.Message {
			msg = strings.Replace(msg, p.Message, m, 1)
			changed = true
		}
	}
	if !changed {
		return err
	}
	return reworded{msg: msg, err: err}
}

// problemInUserTerms is the message of p, naming the --map or --set flag
// that caused it if one did; without a config file, its advice names
// flags too.
func (o syncOptions) problemInUserTerms(p mapping.Problem) string {
	if o.src.configFile == "" && p.Column != "" {
		col := shellJoin([]string{p.Column})
		for _, r := range [][2]string{
			{`rename it under mapping.columns, drop it with "-", or set mapping.ignore_unmapped`,
				"rename it with --map " + shellJoin([]string{p.Column + "=PROPERTY"}) + ", drop it with --drop " + col + ", or pass --ignore-unmapped"},
			{`drop it with "-" under mapping.columns`, "drop it with --drop " + col},
			{`drop one with "-" under mapping.columns`, "drop one with --drop"},
		} {
			if strings.Contains(p.Message, r[0]) {
				return strings.Replace(p.Message, r[0], r[1], 1)
			}
		}
	}
	if flag := lastFlag(o.MapFlags, p.Column); p.Column != "" && flag != "" && strings.HasPrefix(p.Message, "mapping.columns ") {
		return "--map " + flag + strings.TrimPrefix(p.Message, "mapping.columns")
	}
	if flag := lastFlag(o.SetFlags, p.Property); p.Property != "" && flag != "" {
		for _, key := range []string{"mapping.constants." + p.Property, "mapping.constants"} {
			if rest, ok := strings.CutPrefix(p.Message, key); ok {
				return "--set " + flag + rest
			}
		}
	}
	return p.Message
}

// lastFlag is the last of the NAME=VALUE flag values that names name,
// which wins over the others and the config; "" when none does.
func lastFlag(values []string, name string) string {
	for i := len(values) - 1; i >= 0; i-- {
		if n, _, ok := strings.Cut(values[i], "="); ok && n == name {
			return values[i]
		}
	}
	return ""
}

// withFlagSuggestion adds to pflag's "unknown flag: --X" the sync flag
// closest to X, when one is close enough to be a likely typo.
func withFlagSuggestion(err error) error {
	name, ok := strings.CutPrefix(fmt.Sprint(err), "unknown flag: --")
	if err == nil || !ok {
		return err
	}
	fs := pflag.NewFlagSet("sync", pflag.ContinueOnError)
	o := defaultSyncOptions()
	bindSyncFlags(fs, &o)
	names := []string{"config"}
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	best := closestKey(strings.ReplaceAll(strings.ToLower(name), "_", "-"), names)
	if best == "" {
		return err
	}
	return fmt.Errorf("%w: did you mean --%s?", err, best)
}
