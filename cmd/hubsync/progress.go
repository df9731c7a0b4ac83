package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"go.uber.org/zap"
	"golang.org/x/term"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
)

// progressMode is how a sync shows its progress (--progress).
type progressMode int

const (
	progressAuto   progressMode = iota // a bar when stderr is a terminal, else log lines
	progressAlways                     // a bar
	progressNever                      // log lines only
)

func (m progressMode) String() string {
	switch m {
	case progressAlways:
		return "always"
	case progressNever:
		return "never"
	}
	return "auto"
}

// parseProgressMode reads --progress: auto (the default, also ""),
// always or never.
func parseProgressMode(s string) (progressMode, error) {
	switch s {
	case "auto", "":
		return progressAuto, nil
	case "always":
		return progressAlways, nil
	case "never":
		return progressNever, nil
	}
	return progressAuto, fmt.Errorf("--progress %q: want auto, always or never", s)
}

const (
	// progressLogEvery is the usual interval of progress log lines.
	progressLogEvery = 10 * time.Second
	// barRedraw is how often the bar is redrawn.
	barRedraw = 200 * time.Millisecond
	// barOverhead is the width of the bar line besides its text: the
	// percentage, a bar of at least 10 cells, the spaces around, and a
	// column to spare. The library narrows the bar to fit the terminal;
	// the text leaves it that much.
	barOverhead = len(" 100% |") + 10 + len("|  ") + len(" ") + 1
)

// startProgress shows the progress of a run until the returned stop is
// called: a bar on out when mode is always, or auto and tty (out is a
// terminal), redrawn every 200 ms; otherwise an Info log line on log every
// interval (progressLogEvery when every is not positive). total is the
// input's size in bytes, from the offset the run starts at (when it
// resumes), stats the run's live counters. In a dry run (dryRun) nothing
// is sent, so the display says what would apply, not what was applied.
//
// It starts one goroutine. stop ends it, waits for it, then draws the bar's
// final state and ends its line, or logs one last line; it is idempotent.
func startProgress(mode progressMode, dryRun bool, out *progressOutput, tty bool, total, from int64, stats *pipeline.Stats, log *zap.Logger, every time.Duration) (stop func()) {
	meter := newProgressMeter(total, from, time.Now())
	meter.dryRun = dryRun
	var d progressDisplay = logDisplay{log}
	tick := every
	if tick <= 0 {
		tick = progressLogEvery
	}
	if mode == progressAlways || (mode == progressAuto && tty) {
		d = newBarDisplay(out, tty, meter.observe(time.Now(), countsOf(stats)))
		tick = barRedraw
	}

	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				d.show(meter.observe(now, countsOf(stats)))
			}
		}
	}()

	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-exited
			d.finish(meter.observe(time.Now(), countsOf(stats)))
		})
	}
}

// progressDisplay shows progress views as they come; finish shows the last.
type progressDisplay interface {
	show(progressView)
	finish(progressView)
}

// logDisplay shows progress as log lines.
type logDisplay struct{ log *zap.Logger }

func (d logDisplay) show(v progressView)   { d.log.Info("progress", v.logFields()...) }
func (d logDisplay) finish(v progressView) { d.show(v) }

// barDisplay draws a progress bar on a terminal.
type barDisplay struct {
	out   *progressOutput
	bar   *progressbar.ProgressBar
	max   int64      // the bar's full size: the input's, at least 1
	width func() int // the terminal's columns, 0 when unknown
}

func newBarDisplay(out *progressOutput, tty bool, first progressView) *barDisplay {
	w := out.w
	width := func() int { return 0 }
	if f, ok := w.(*os.File); ok && tty {
		width = func() int {
			cols, _, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0
			}
			return cols
		}
	} else {
		// Hide the *os.File so that the library neither asks a file that
		// is no terminal for its width nor fsyncs it at every redraw.
		w = struct{ io.Writer }{w}
	}
	d := &barDisplay{out: out, max: max(first.Total, 1), width: width}
	d.bar = progressbar.NewOptions64(d.max,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(false), // ours is measured from where this run started
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	out.mu.Lock()
	defer out.mu.Unlock()
	out.bar = d.bar
	d.draw(first)
	return d
}

// draw must be called with d.out.mu held.
func (d *barDisplay) draw(v progressView) {
	// Keep the bar short of full until finish: once full, the library
	// draws it no more, and records in flight are still settling.
	_ = d.bar.Set64(min(v.Done, d.max-1))
	text := v.barText(0)
	if cols := d.width(); cols > 0 {
		text = v.barText(cols - barOverhead)
	}
	d.bar.Describe(text) // draws the bar
}

func (d *barDisplay) show(v progressView) {
	d.out.mu.Lock()
	defer d.out.mu.Unlock()
	d.draw(v)
}

func (d *barDisplay) finish(v progressView) {
	d.out.mu.Lock()
	defer d.out.mu.Unlock()
	d.draw(v)
	if v.Done >= v.Total {
		_ = d.bar.Set64(d.max) // fills the bar, draws it and ends its line
	} else {
		_ = d.bar.Exit() // leaves the bar as drawn and ends its line
	}
	d.out.detach()
}

// progressOutput is the stream, stderr, that the progress bar and the log
// share. While a bar is on screen, whole lines written to it go above the
// bar: the bar is cleared, the lines written, the bar drawn again. A line
// without its end waits for it. It is safe for concurrent use.
type progressOutput struct {
	mu      sync.Mutex
	w       io.Writer
	bar     *progressbar.ProgressBar // on screen; nil when there is none
	pending []byte                   // an unfinished line, while bar is set
}

// newProgressOutput returns w shared by a bar and the log: create the
// logger on it, and give it to startProgress.
func newProgressOutput(w io.Writer) *progressOutput { return &progressOutput{w: w} }

func (o *progressOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.bar == nil {
		return o.w.Write(p)
	}
	o.pending = append(o.pending, p...)
	end := bytes.LastIndexByte(o.pending, '\n') + 1
	if end == 0 {
		return len(p), nil
	}
	_ = o.bar.Clear()
	_, err := o.w.Write(o.pending[:end])
	o.pending = append(o.pending[:0], o.pending[end:]...)
	_ = o.bar.RenderBlank()
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// detach forgets the bar, whose line has ended, and writes what waited.
// It must be called with o.mu held.
func (o *progressOutput) detach() {
	o.bar = nil
	if len(o.pending) > 0 {
		_, _ = o.w.Write(o.pending)
		o.pending = nil
	}
}

// barText is the text after the bar, cut to fit width columns (0: no
// limit) by dropping the least useful parts first.
func (v progressView) barText(width int) string {
	applied, dead := "applied ", "dead-lettered "
	if v.DryRun {
		applied, dead = "would apply ", "would fail "
	}
	parts := []struct {
		rank int // 1 is dropped last
		text string
	}{
		{5, sizeOf(v.Done, v.Total)},
		{8, "read " + group(v.Read)},
		{2, perSecond(v.PerSec) + " rec/s"},
		{3, applied + group(v.Applied)},
		{4, dead + group(v.DeadLettered)},
		{6, "retries " + group(v.Retries)},
		{7, "429s " + group(v.RateLimited)},
		{1, "ETA " + etaText(v.ETA)},
	}
	if v.Unchanged > 0 {
		// Beside applied: with --only-changed, most records of a
		// nightly load end here.
		parts = slices.Insert(parts, 4, struct {
			rank int
			text string
		}{4, "unchanged " + group(v.Unchanged)})
	}
	if v.Waiting != "" {
		parts = append(parts, struct {
			rank int
			text string
		}{3, v.Waiting})
	}
	for keep := len(parts); keep > 0; keep-- {
		var b strings.Builder
		for _, p := range parts {
			if p.rank > keep {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(" · ")
			}
			b.WriteString(p.text)
		}
		if s := b.String(); width <= 0 || len([]rune(s)) <= width {
			return s
		}
	}
	return ""
}

func (v progressView) logFields() []zap.Field {
	f := []zap.Field{zap.Float64("percent", v.Percent)}
	if v.DryRun {
		f = append(f, zap.Int64("read", v.Read), zap.Int64("would_apply", v.Applied))
		if v.Unchanged > 0 {
			f = append(f, zap.Int64("unchanged", v.Unchanged))
		}
		f = append(f, zap.Int64("would_fail", v.DeadLettered), zap.Int64("requests_needed", v.Requests))
	} else {
		f = append(f, countFields(v.Counts)...)
	}
	f = append(f, zap.Float64("records_per_sec", v.PerSec))
	if v.ETA >= 0 {
		f = append(f, zap.Duration("eta", v.ETA))
	}
	if v.Waiting != "" && !v.DryRun {
		f = append(f, zap.String("waiting", v.Waiting))
	}
	return f
}

// countFields are the log fields of c that the progress lines and the
// summary of a run (logSummary) share, in the order both write them.
// unchanged is there only when it counts something, as only
// --only-changed runs count it.
func countFields(c checkpoint.Counts) []zap.Field {
	f := []zap.Field{
		zap.Int64("read", c.Read),
		zap.Int64("applied", c.Applied),
	}
	if c.Unchanged > 0 {
		f = append(f, zap.Int64("unchanged", c.Unchanged))
	}
	return append(f,
		zap.Int64("dead_lettered", c.DeadLettered),
		zap.Int64("requests", c.Requests),
		zap.Int64("rate_limited", c.RateLimited),
		zap.Int64("retries", c.Retries),
	)
}

// sizeOf is "14.8/40.0 MB": done in the unit of total.
func sizeOf(done, total int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	div, i := 1.0, 0
	for float64(total)/div >= 1000 && i < len(units)-1 {
		div *= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d/%d B", done, total)
	}
	return fmt.Sprintf("%.1f/%.1f %s", float64(done)/div, float64(total)/div, units[i])
}

func etaText(d time.Duration) string {
	if d < 0 {
		return "--"
	}
	return d.String()
}
