package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/sink/mapping"
	"github.com/hubsync/hubsync/source"
)

// plan is a sync's settings, checked and parsed, before anything is opened.
type plan struct {
	o          syncOptions
	file       string
	format     source.Format
	empty      source.EmptyMode
	rate       rateFlag
	reserve    int
	reservePct float64
	mapping    mapping.Config
	delimiter  byte // 0: detected from the header
	encoding   source.Encoding
}

// newPlan reads the options into a plan; every error is a usage error.
// runSync has run checkSettings on o already, before the logger and the
// report exist, so that a setting out of range costs nothing.
func newPlan(o syncOptions, file string) (*plan, error) {
	pl := &plan{o: o, file: file}
	var err error
	if pl.format, err = inputFormat(o.Format, file); err != nil {
		return nil, err
	}
	if pl.empty, err = source.ParseEmptyMode(o.Empty); err != nil {
		return nil, err
	}
	if pl.rate, err = parseRate(o.Rate); err != nil {
		return nil, fmt.Errorf("--rate: %w", err)
	}
	if pl.reserve, pl.reservePct, err = parseReserve(o.DailyReserve); err != nil {
		return nil, err
	}
	if pl.mapping, err = o.mappingConfig(pl.format); err != nil {
		return nil, o.inUserTerms(err)
	}
	if pl.delimiter, pl.encoding, err = readingOptions(o, pl.format); err != nil {
		return nil, err
	}
	return pl, nil
}

// newClient builds the HubSpot client of a sync.
func newClient(o syncOptions, token string) (*sink.Client, error) {
	timeout, err := time.ParseDuration(o.RequestTimeout)
	if err != nil || timeout <= 0 {
		return nil, fmt.Errorf("--request-timeout %q: want a positive duration such as 60s", o.RequestTimeout)
	}
	return sink.New(sink.Config{
		BaseURL:    o.BaseURL,
		Token:      token,
		ObjectType: o.Object,
		IDProperty: o.IDProperty,
		UserAgent:  "hubsync/" + currentBuild().Version,
		Timeout:    timeout,
	})
}

// readerOptions are the source options of the plan, reading in from
// start; in answers whether the file changed while it was read. Empty CSV
// cells are kept as "" for the mapper, which applies --empty and its
// per-property overrides; without a mapper (--no-preflight) the reader
// applies --empty itself.
func (pl *plan) readerOptions(in *stoppableInput, start source.Position) source.Options {
	empty := source.EmptyClear
	if pl.o.NoPreflight {
		empty = pl.empty
	}
	return source.Options{IDColumn: pl.o.IDColumn, Empty: empty, MaxRecordBytes: pl.o.MaxRecordBytes, Start: start,
		Changed: in.Changed, Delimiter: pl.delimiter, Encoding: pl.encoding}
}

// pipelineConfig is the pipeline configuration of the plan.
func (pl *plan) pipelineConfig(interrupt <-chan struct{}, m *mapping.Mapper) pipeline.Config {
	return pipeline.Config{
		BatchSize:           pl.o.BatchSize,
		Workers:             pl.o.Workers,
		Drain:               interrupt,
		Transform:           transform(m),
		DailyReserve:        pl.reserve,
		DailyReservePercent: pl.reservePct,
	}
}

// settings are the options that shape the requests, which a checkpoint
// binds to: resuming with other ones would mix two different jobs.
func (pl *plan) settings() map[string]string {
	m, _ := yaml.Marshal(pl.mapping)
	sum := sha256.Sum256(m)
	s := map[string]string{
		"object":      pl.o.Object,
		"base_url":    pl.o.BaseURL,
		"format":      pl.format.String(),
		"id_column":   pl.o.IDColumn,
		"id_property": pl.o.IDProperty,
		"empty":       pl.o.Empty,
		"mapping":     hex.EncodeToString(sum[:8]),
	}
	addReadingSettings(s, pl.o)
	if pl.o.OnlyChanged {
		// A job begun without it sent records the sync state never
		// heard of: resumed with it, its state would claim to be
		// complete. (Absent when off, so that older checkpoints match.)
		s["only_changed"] = "on"
	}
	return s
}

// parseReserve reads --daily-reserve: "" (none), a count "5000", or a
// percentage "10%".
func parseReserve(s string) (int, float64, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, 0, nil
	}
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if err != nil || v <= 0 || v >= 100 {
			return 0, 0, fmt.Errorf("--daily-reserve %q: want a percentage between 0 and 100, such as 10%%", s)
		}
		return 0, v, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, 0, fmt.Errorf("--daily-reserve %q: want a number of requests or a percentage, such as 5000 or 10%%", s)
	}
	return n, 0, nil
}

func inputFormat(flag, file string) (source.Format, error) {
	if flag != "" {
		return source.ParseFormat(flag)
	}
	return source.FormatFromPath(file)
}

// openReader returns a reader for f and, for CSV, the header to repeat in
// the dead-letter file.
func openReader(f io.ReadSeeker, format source.Format, opts source.Options) (pipeline.Reader, []string, error) {
	if format == source.CSV {
		r, err := source.NewCSV(f, opts)
		if err != nil {
			return nil, nil, err
		}
		return r, r.Header(), nil
	}
	r, err := source.NewJSONL(f, opts)
	return r, nil, err
}

// readerError is the error of a sync whose reader could not start on
// file: a usage error (a bad header, say), unless a Ctrl-C stopped it or
// the file is empty.
func readerError(file string, err error) error {
	err = fmt.Errorf("%s: %w", file, err)
	switch {
	case errors.Is(err, source.ErrNoHeader):
		return fmt.Errorf("%w: %w", errNoRecords, err)
	case errors.Is(err, pipeline.ErrInterrupted):
		return err
	}
	return usageError{err}
}

// defaultDeadLetterPath is NAME.dead-letter.csv (or .jsonl) next to the
// input NAME.csv.
func defaultDeadLetterPath(file string, format source.Format) string {
	ext := ".csv"
	if format == source.JSONL {
		ext = ".jsonl"
	}
	base := strings.TrimSuffix(file, filepath.Ext(file))
	return base + ".dead-letter" + ext
}

// transform is the pipeline's Transform for m: none without a mapper. The
// pipeline calls it from one goroutine, so it may use an Applier.
func transform(m *mapping.Mapper) func(source.Record) source.Record {
	if m == nil {
		return nil
	}
	a := m.Applier()
	return func(rec source.Record) source.Record {
		a.Apply(&rec)
		return rec
	}
}
