package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/hubsync/hubsync/sink/mapping"
	"github.com/hubsync/hubsync/source"
)

// reportPaths are the files of a run, absolute, so that a report read
// elsewhere (a monitoring job, a ticket) still says which files they were.
// A file the run did not use is "".
type reportPaths struct {
	Input      string `json:"input"`
	Checkpoint string `json:"checkpoint,omitempty"`
	DeadLetter string `json:"dead_letter,omitempty"`
	Report     string `json:"report,omitempty"`
}

// reportMapping is how the run turned the input's columns into properties.
// It holds names and the constants the config sets; never a record's
// values, nor the token.
type reportMapping struct {
	// Columns maps each column sent (or, for JSON Lines, each key renamed)
	// to the property it writes. Without a preflight, every column is sent
	// under its own name.
	Columns        map[string]string `json:"columns"`
	Constants      map[string]string `json:"constants,omitempty"` // property → value, on every record
	Ignored        []string          `json:"ignored,omitempty"`   // columns not sent: dropped, unmapped under ignore_unmapped, or added by a dead-letter file
	IgnoreUnmapped bool              `json:"ignore_unmapped,omitempty"`
	MatchLabels    bool              `json:"match_labels,omitempty"`
	Preflight      bool              `json:"preflight"` // false with --no-preflight: values sent as they are

	// idColumn is the column the ids came from, which may be HubSpot's
	// Record ID rather than the id column asked for: the report's settings
	// show it.
	idColumn string
}

// effectiveMapping describes the mapping a run used: cfg as checked by the
// preflight into m (nil with --no-preflight), over the CSV header (nil
// for JSONL, whose keys are known per record). m says which columns it
// sends, those named by a property's label among them; without it, every
// column is sent under its own name.
func effectiveMapping(cfg mapping.Config, header []string, idColumn string, m *mapping.Mapper) *reportMapping {
	r := &reportMapping{Columns: map[string]string{}, IgnoreUnmapped: cfg.IgnoreUnmapped, MatchLabels: cfg.MatchLabels,
		Preflight: m != nil, idColumn: idColumn}
	if len(cfg.Constants) > 0 {
		r.Constants = maps.Clone(cfg.Constants)
	}
	if m != nil {
		var dropped []string
		r.Columns, dropped = m.Columns()
		if header == nil {
			r.Ignored = dropped
			return r
		}
		// In header order, with the columns a dead-letter file adds,
		// which the mapper never sees.
		for _, col := range header {
			if _, sent := r.Columns[col]; !sent && col != idColumn {
				r.Ignored = append(r.Ignored, col)
			}
		}
		return r
	}
	if header == nil {
		for _, key := range slices.Sorted(maps.Keys(cfg.Columns)) {
			if to := strings.TrimSpace(cfg.Columns[key]); to == "-" {
				r.Ignored = append(r.Ignored, key)
			} else {
				r.Columns[key] = to
			}
		}
		return r
	}
	for _, col := range header {
		switch {
		case col == idColumn:
		case source.IgnoredColumn(col):
			r.Ignored = append(r.Ignored, col)
		default:
			r.Columns[col] = col
		}
	}
	return r
}

// fillProvenance completes in with what identifies the run, where the
// caller left it out: the binary, a new run id, the host and the working
// folder.
func fillProvenance(in *reportInput) {
	if in.Build == (buildInfo{}) {
		in.Build = currentBuild()
	}
	if in.RunID == "" {
		in.RunID = uuid.NewString()
	}
	if in.Host == "" {
		in.Host, _ = os.Hostname()
	}
	if in.Dir == "" {
		in.Dir, _ = os.Getwd()
	}
}

// absolutePaths are the run's files, absolute against dir.
func absolutePaths(in reportInput) reportPaths {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(in.Dir, p)
	}
	p := reportPaths{Input: abs(in.File), Checkpoint: abs(in.Checkpoint), DeadLetter: abs(in.DeadLetter), Report: abs(in.Options.Report)}
	for _, s := range []*string{&p.Input, &p.Checkpoint, &p.DeadLetter, &p.Report} {
		if *s == "." {
			*s = ""
		}
	}
	return p
}
