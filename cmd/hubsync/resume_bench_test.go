package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/source"
)

// BenchmarkResume1M compares, on a 1,000,000-row CSV file, a full read of
// the file with what a rerun does before it sends again when the checkpoint
// stands at 90%: fingerprint the input, load and check the checkpoint, scan
// the dead-letter tail, seek, and read the first unsettled record. The
// target is under 5% of the full read.
func BenchmarkResume1M(b *testing.B) {
	dir := b.TempDir()
	ds := generate(b, dir, "big.csv", genOptions{rows: 1_000_000, seedIDs: 1_000_000, distinct: 1_000_000, seed: 8})
	opts := source.Options{IDColumn: "id"}

	readAll := func() (n int, at90 source.Position) {
		f, err := os.Open(ds.path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		r, err := source.NewCSV(f, opts)
		if err != nil {
			b.Fatal(err)
		}
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				return n, at90
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
			if n == 900_000 {
				at90 = source.Position{Offset: rec.End, Line: rec.EndLine}
			}
		}
	}

	// A checkpoint at 90%, as a run stopped there would leave.
	_, at90 := readAll()
	f, err := os.Open(ds.path)
	if err != nil {
		b.Fatal(err)
	}
	fp, err := checkpoint.Fingerprint(f, ds.path)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	cp := filepath.Join(dir, "big.csv.checkpoint.json")
	o := defaultSyncOptions()
	o.Object = "communications"
	pl, err := newPlan(o, ds.path)
	if err != nil {
		b.Fatal(err)
	}
	st := &checkpoint.State{Version: checkpoint.Version, Input: fp, Settings: pl.settings(),
		Watermark: checkpoint.Pos{Offset: at90.Offset, Line: at90.Line}, DeadLetterPath: filepath.Join(dir, "big.dead-letter.csv"),
		StartedAt: time.Now(), UpdatedAt: time.Now()}
	if err := checkpoint.Save(cp, st); err != nil {
		b.Fatal(err)
	}

	b.Run("full-read", func(b *testing.B) {
		for b.Loop() {
			if n, _ := readAll(); n != 1_000_000 {
				b.Fatalf("read %d records", n)
			}
		}
	})
	b.Run("resume-at-90%", func(b *testing.B) {
		for b.Loop() {
			f, err := os.Open(ds.path)
			if err != nil {
				b.Fatal(err)
			}
			fp, err := checkpoint.Fingerprint(f, ds.path)
			if err != nil {
				b.Fatal(err)
			}
			j, err := loadJob(checkpoint.OpenRequest{Path: cp, Input: fp, Settings: pl.settings(), DeadLetterPath: st.DeadLetterPath})
			if err != nil || !j.Resumed() {
				b.Fatalf("loadJob: %v", err)
			}
			if err := j.ReadDeadLetters(st.DeadLetterPath, scanDeadLetters(st.DeadLetterPath, source.CSV)); err != nil {
				b.Fatal(err)
			}
			o := opts
			o.Start = position(j.Watermark())
			r, _, err := openReader(f, source.CSV, o)
			if err != nil {
				b.Fatal(err)
			}
			rec, err := r.Next()
			if err != nil || rec.Line != at90.Line {
				b.Fatalf("first record after resume: line %d, %v; want line %d", rec.Line, err, at90.Line)
			}
			f.Close()
		}
	})
}
