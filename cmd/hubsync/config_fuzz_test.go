package main

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/hubsync/hubsync/configs"
	"github.com/hubsync/hubsync/source"
)

// FuzzLoadConfig feeds arbitrary YAML to the config loader and the checks
// that follow it: no panic, and a config that loads either passes the
// plan's checks or fails them with an error, never half-applied.
func FuzzLoadConfig(f *testing.F) {
	names, _ := fs.Glob(configs.FS, "*.yaml")
	for _, n := range names {
		b, _ := fs.ReadFile(configs.FS, n)
		f.Add(string(b))
	}
	f.Add("object: contacts\nmapping:\n  columns: {a: b}\n  properties: {x: {empty: clear}}\n")
	f.Add("rate: 5/s\nbatch_size: 0\n")
	f.Fuzz(func(t *testing.T, text string) {
		o := defaultSyncOptions()
		if err := loadConfig(strings.NewReader(text), &o); err != nil {
			return
		}
		if o.Object == "" {
			o.Object = "communications"
		}
		pl, err := newPlan(o, "input.csv")
		if err != nil {
			return
		}
		if pl.format != source.CSV && pl.format != source.JSONL {
			t.Fatalf("plan accepted format %v", pl.format)
		}
		_ = pl.settings()
	})
}
