package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/sink/mapping"
	"github.com/hubsync/hubsync/source"
)

// keySample is how many records of a JSON Lines file the preflight reads
// for their keys: an export writes the same keys on every line, so a
// renamed one shows in the first few; a hundred also catches keys that
// only some records carry.
const keySample = 100

// checkJSONLKeys refuses a JSON Lines input, before anything is sent,
// when keys of its first keySample records are ones m would refuse
// (neither a property nor renamed, dropped or ignored by the mapping): as
// for a CSV header, every record that carries such a key would be
// dead-lettered, and a renamed key in an export is in every record.
// Records that fail to parse are left to the run, which dead-letters them.
func checkJSONLKeys(pl *plan, m *mapping.Mapper, props []sink.Property) error {
	if pl.format != source.JSONL {
		return nil
	}
	keys, seen, read, err := sampleKeys(pl.file, pl.o)
	if err != nil {
		return nil // the run reads the file again and reports what is wrong with it
	}
	var lines []string
	for _, key := range keys {
		if !m.UnknownKey(key) {
			continue
		}
		hint := ""
		if suggestion := mapping.Closest(key, props); suggestion != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", suggestion)
		}
		lines = append(lines, fmt.Sprintf("key %q (in %d of the first %d records) is not a property of this object type%s; "+
			"rename it with --map %s=PROPERTY (mapping.columns), drop it with --drop %s, or pass --ignore-unmapped",
			key, seen[key], read, hint, key, key))
	}
	if len(lines) == 0 {
		return nil
	}
	return usageError{fmt.Errorf("the keys of %s do not fit the %s properties; nothing was sent:\n  %s",
		pl.file, pl.o.Object, strings.Join(lines, "\n  "))}
}

// sampleKeys reads the first keySample records of the JSON Lines file at
// path and returns their keys (the id key left out) in the order first
// seen, how many records carry each, and how many records it read.
func sampleKeys(path string, o syncOptions) (keys []string, seen map[string]int, read int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	defer f.Close()
	r, err := source.NewJSONL(f, source.Options{IDColumn: o.IDColumn, Empty: source.EmptyClear, MaxRecordBytes: o.MaxRecordBytes})
	if err != nil {
		return nil, nil, 0, err
	}
	seen = make(map[string]int)
	for read < keySample {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, 0, err
		}
		if rec.Err != nil {
			continue
		}
		read++
		for _, p := range rec.Props {
			if seen[p.Name] == 0 {
				keys = append(keys, p.Name)
			}
			seen[p.Name]++
		}
	}
	return keys, seen, read, nil
}
