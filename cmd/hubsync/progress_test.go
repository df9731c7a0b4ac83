package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
)

func TestParseProgressMode(t *testing.T) {
	tests := []struct {
		in      string
		want    progressMode
		wantErr bool
	}{
		{"auto", progressAuto, false},
		{"", progressAuto, false},
		{"always", progressAlways, false},
		{"never", progressNever, false},
		{"Always", progressAuto, true},
		{"yes", progressAuto, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			got, err := parseProgressMode(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseProgressMode(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseProgressMode(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if err == nil && tt.in != "" && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestProgressMeter(t *testing.T) {
	type step struct {
		at     time.Duration // since the start
		counts progressCounts
	}
	tests := []struct {
		name        string
		total, from int64
		steps       []step
		want        progressView // after the last step
	}{{
		name: "nothing yet", total: 1000,
		steps: []step{{0, progressCounts{}}},
		want:  progressView{Total: 1000, ETA: -1},
	}, {
		name: "steady pace", total: 1000,
		steps: []step{
			{time.Second, progressCounts{Counts: checkpoint.Counts{Read: 10, Applied: 5}, Offset: 100}},
			{2 * time.Second, progressCounts{Counts: checkpoint.Counts{Read: 20, Applied: 15}, Offset: 200}},
		},
		want: progressView{progressCounts: progressCounts{Counts: checkpoint.Counts{Read: 20, Applied: 15}, Offset: 200},
			Done: 200, Total: 1000, Percent: 20, PerSec: 10, ETA: 8 * time.Second},
	}, {
		name: "resumed, nothing read yet", total: 1000, from: 500,
		steps: []step{{time.Second, progressCounts{}}},
		want:  progressView{Done: 500, Total: 1000, Percent: 50, ETA: -1},
	}, {
		name: "resumed: the pace counts from where the run started", total: 1000, from: 500,
		steps: []step{{2 * time.Second, progressCounts{Counts: checkpoint.Counts{Read: 30}, Offset: 700}}},
		want: progressView{progressCounts: progressCounts{Counts: checkpoint.Counts{Read: 30}, Offset: 700},
			Done: 700, Total: 1000, Percent: 70, PerSec: 15, ETA: 3 * time.Second},
	}, {
		name: "skipped records are not processed", total: 1000, from: 500,
		steps: []step{{time.Second, progressCounts{Counts: checkpoint.Counts{Read: 10}, Offset: 600, Skipped: 10}}},
		want: progressView{progressCounts: progressCounts{Counts: checkpoint.Counts{Read: 10}, Offset: 600, Skipped: 10},
			Done: 600, Total: 1000, Percent: 60, PerSec: 0, ETA: 4 * time.Second},
	}, {
		name: "the pace is the last ten seconds'", total: 10000,
		steps: []step{
			{5 * time.Second, progressCounts{Counts: checkpoint.Counts{Read: 250}, Offset: 2500}},
			{10 * time.Second, progressCounts{Counts: checkpoint.Counts{Read: 500}, Offset: 5000}}, // 500 B/s so far
			{15 * time.Second, progressCounts{Counts: checkpoint.Counts{Read: 550}, Offset: 5500}},
			{20 * time.Second, progressCounts{Counts: checkpoint.Counts{Read: 600}, Offset: 6000}}, // 100 B/s since 10s
		},
		want: progressView{progressCounts: progressCounts{Counts: checkpoint.Counts{Read: 600}, Offset: 6000},
			Done: 6000, Total: 10000, Percent: 60, PerSec: 10, ETA: 40 * time.Second},
	}, {
		name: "percent rounds down", total: 3000,
		steps: []step{{time.Second, progressCounts{Offset: 2999}}},
		want:  progressView{progressCounts: progressCounts{Offset: 2999}, Done: 2999, Total: 3000, Percent: 99.9, ETA: 0},
	}, {
		name: "all read", total: 1000,
		steps: []step{{time.Second, progressCounts{Counts: checkpoint.Counts{Read: 7, Applied: 6, DeadLettered: 1}, Offset: 1000}}},
		want: progressView{progressCounts: progressCounts{Counts: checkpoint.Counts{Read: 7, Applied: 6, DeadLettered: 1}, Offset: 1000},
			Done: 1000, Total: 1000, Percent: 100, PerSec: 7, ETA: 0},
	}, {
		name: "empty input", total: 0,
		steps: []step{{time.Second, progressCounts{}}},
		want:  progressView{Percent: 100, ETA: 0},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
			m := newProgressMeter(tt.total, tt.from, start)
			var got progressView
			for _, s := range tt.steps {
				got = m.observe(start.Add(s.at), s.counts)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(progressView{})); diff != "" {
				t.Errorf("view (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProgressBarText(t *testing.T) {
	v := progressView{
		progressCounts: progressCounts{Counts: checkpoint.Counts{Read: 123456, Applied: 123000, DeadLettered: 56, Retries: 3, RateLimited: 2}},
		Done:           14_800_000,
		Total:          40_000_000,
		PerSec:         190.2,
		ETA:            4*time.Minute + 10*time.Second,
	}
	tests := []struct {
		width int
		want  string
	}{
		{0, "14.8/40.0 MB · read 123,456 · 190 rec/s · applied 123,000 · dead-lettered 56 · retries 3 · 429s 2 · ETA 4m10s"},
		{200, "14.8/40.0 MB · read 123,456 · 190 rec/s · applied 123,000 · dead-lettered 56 · retries 3 · 429s 2 · ETA 4m10s"},
		{98, "14.8/40.0 MB · 190 rec/s · applied 123,000 · dead-lettered 56 · retries 3 · 429s 2 · ETA 4m10s"},
		{58, "190 rec/s · applied 123,000 · dead-lettered 56 · ETA 4m10s"},
		{40, "190 rec/s · applied 123,000 · ETA 4m10s"},
		{12, "ETA 4m10s"},
		{5, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d cols", tt.width), func(t *testing.T) {
			got := v.barText(tt.width)
			if got != tt.want {
				t.Errorf("barText(%d) =\n%q, want\n%q", tt.width, got, tt.want)
			}
			if tt.width > 0 && len([]rune(got)) > tt.width {
				t.Errorf("barText(%d) is %d wide", tt.width, len([]rune(got)))
			}
		})
	}
}

// TestProgressUnchanged checks that the records an --only-changed run
// did not send show beside those applied, and give way before them on a
// narrow terminal.
func TestProgressUnchanged(t *testing.T) {
	v := progressView{
		progressCounts: progressCounts{Counts: checkpoint.Counts{Read: 1000, Applied: 10, Unchanged: 988, DeadLettered: 2}},
		Done:           500, Total: 500, PerSec: 2000,
	}
	tests := []struct {
		width int
		want  string
	}{
		{0, "500/500 B · read 1,000 · 2,000 rec/s · applied 10 · unchanged 988 · dead-lettered 2 · retries 0 · 429s 0 · ETA 0s"},
		{70, "2,000 rec/s · applied 10 · unchanged 988 · dead-lettered 2 · ETA 0s"},
		{40, "2,000 rec/s · applied 10 · ETA 0s"},
	}
	for _, tt := range tests {
		if got := v.barText(tt.width); got != tt.want {
			t.Errorf("barText(%d) =\n%q, want\n%q", tt.width, got, tt.want)
		}
	}
	var logs lockedBuffer
	logDisplay{jsonLogger(&logs)}.show(v)
	lines := decodeLines(t, logs.String())
	if len(lines) != 1 || lines[0]["unchanged"] != 988.0 {
		t.Errorf("progress log lines %v, want one with unchanged 988", lines)
	}
}

// TestProgressDryRunWords checks that the progress of a dry run, which
// sends nothing, never says applied or counts requests as made.
func TestProgressDryRunWords(t *testing.T) {
	v := progressView{
		progressCounts: progressCounts{Counts: checkpoint.Counts{Read: 1000, Applied: 990, DeadLettered: 10, Requests: 10}},
		Done:           500, Total: 500, PerSec: 2000, DryRun: true,
	}
	if got, want := v.barText(0), "500/500 B · read 1,000 · 2,000 rec/s · would apply 990 · would fail 10 · retries 0 · 429s 0 · ETA 0s"; got != want {
		t.Errorf("barText =\n%q, want\n%q", got, want)
	}
	var logs lockedBuffer
	logDisplay{jsonLogger(&logs)}.show(v)
	lines := decodeLines(t, logs.String())
	want := []string{"eta", "level", "msg", "percent", "read", "records_per_sec", "requests_needed", "ts", "would_apply", "would_fail"}
	if len(lines) != 1 {
		t.Fatalf("%d log lines, want 1", len(lines))
	}
	if diff := cmp.Diff(want, sortedKeys(lines[0])); diff != "" {
		t.Errorf("dry run progress fields (-want +got):\n%s", diff)
	}
}

// advance moves stats on by a few records every few milliseconds until
// stop is closed, as a run at a steady pace would; total bytes make the
// whole input.
func advance(stats *pipeline.Stats, total int64, stop <-chan struct{}) (done <-chan struct{}) {
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			if stats.Offset.Load()+500 >= total {
				continue // leave the end to the test
			}
			stats.Offset.Add(500)
			stats.Read.Add(5)
			stats.Applied.Add(4)
			stats.DeadLettered.Add(1)
			stats.Requests.Add(1)
		}
	}()
	return finished
}

// jsonLogger logs JSON lines, as hubsync does when stderr is no terminal.
func jsonLogger(w io.Writer) *zap.Logger {
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(w), zap.InfoLevel))
}

func decodeLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestProgressLogLines(t *testing.T) {
	const (
		total = 1_000_000
		every = 50 * time.Millisecond
		run   = 500 * time.Millisecond
	)
	var logs lockedBuffer
	stats := &pipeline.Stats{}
	stopAdvance := make(chan struct{})
	advanced := advance(stats, total, stopAdvance)

	start := time.Now()
	stop := startProgress(progressAuto, false, newProgressOutput(io.Discard), false, total, 0, stats, jsonLogger(&logs), every)
	time.Sleep(run)
	close(stopAdvance)
	<-advanced
	stats.Offset.Store(total) // the last record read
	stats.RateLimited.Store(2)
	stats.Retries.Store(3)
	stop()
	elapsed := time.Since(start)
	stop() // idempotent

	before := logs.String()
	time.Sleep(3 * every)
	if after := logs.String(); after != before {
		t.Errorf("logged after stop returned:\n%s", strings.TrimPrefix(after, before))
	}

	lines := decodeLines(t, before)
	// One line a tick, the ticker never early, then the last line.
	if max := int(elapsed/every) + 1; len(lines) < 3 || len(lines) > max {
		t.Fatalf("got %d log lines in %v at one every %v, want 3..%d:\n%s", len(lines), elapsed, every, max, before)
	}
	wantKeys := []string{"applied", "dead_lettered", "eta", "level", "msg", "percent",
		"rate_limited", "read", "records_per_sec", "requests", "retries", "ts"}
	for i, l := range lines {
		if l["msg"] != "progress" || l["level"] != "info" {
			t.Errorf("line %d: msg %v level %v, want progress at info", i, l["msg"], l["level"])
		}
		if diff := cmp.Diff(wantKeys, sortedKeys(l)); diff != "" {
			t.Errorf("line %d fields (-want +got):\n%s", i, diff)
		}
		if i > 0 && l["read"].(float64) < lines[i-1]["read"].(float64) {
			t.Errorf("line %d: read went back from %v to %v", i, lines[i-1]["read"], l["read"])
		}
	}

	last := lines[len(lines)-1]
	read := float64(stats.Read.Load())
	want := map[string]any{"percent": 100.0, "read": read, "applied": float64(stats.Applied.Load()),
		"dead_lettered": float64(stats.DeadLettered.Load()), "requests": float64(stats.Requests.Load()),
		"rate_limited": 2.0, "retries": 3.0, "eta": 0.0}
	got := map[string]any{}
	for k := range want {
		got[k] = last[k]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("last line (-want +got):\n%s", diff)
	}
	if r := last["records_per_sec"].(float64); r <= 0 || r > read/(run.Seconds()/2) {
		t.Errorf("last line: records_per_sec %v, want about %v", r, read/run.Seconds())
	}
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

func TestProgressModeChoosesDisplay(t *testing.T) {
	tests := []struct {
		mode    progressMode
		tty     bool
		wantBar bool
	}{
		{progressAuto, true, true},
		{progressAuto, false, false},
		{progressAlways, true, true},
		{progressAlways, false, true},
		{progressNever, true, false},
		{progressNever, false, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v tty=%v", tt.mode, tt.tty), func(t *testing.T) {
			var out, logs lockedBuffer
			stats := &pipeline.Stats{}
			stats.Offset.Store(400)
			stop := startProgress(tt.mode, false, newProgressOutput(&out), tt.tty, 1000, 0, stats, jsonLogger(&logs), time.Millisecond)
			time.Sleep(20 * time.Millisecond)
			stop()
			gotBar := strings.Contains(out.String(), "40% |")
			gotLog := strings.Contains(logs.String(), `"msg":"progress"`)
			if gotBar != tt.wantBar || gotLog == tt.wantBar {
				t.Errorf("bar %v, log lines %v; want bar %v and log lines %v\nout: %q\nlog: %s",
					gotBar, gotLog, tt.wantBar, !tt.wantBar, out.String(), logs.String())
			}
		})
	}
}

// TestProgressBarInTerminal runs the bar on a pseudo-terminal, as a user's
// terminal would show it, and reads the screen back.
func TestProgressBarInTerminal(t *testing.T) {
	for _, cols := range []int{120, 60} {
		t.Run(fmt.Sprintf("%d cols", cols), func(t *testing.T) {
			ptmx, tty, err := pty.Open()
			if errors.Is(err, pty.ErrUnsupported) {
				t.Skip("no pseudo-terminals on this system")
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ptmx.Close()
			defer tty.Close()
			if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: uint16(cols)}); err != nil {
				t.Fatal(err)
			}
			var shown lockedBuffer
			go io.Copy(&shown, ptmx) // ends when the pty closes

			mid, final := runBar(t, progressAuto, tty, true, cols, shown.String)
			for _, want := range []string{"%", "rec/s", "applied", "ETA"} {
				if !strings.Contains(mid, want) {
					t.Errorf("the bar does not show %q:\n%s", want, mid)
				}
			}
			t.Logf("mid-run, %d columns:\n%s\nat the end:\n%s", cols, mid, strings.Join(final, "\n"))
		})
	}
}

// TestProgressBarNotTerminal is --progress always on a file or pipe: the
// width is unknown, so nothing is left out.
func TestProgressBarNotTerminal(t *testing.T) {
	var out lockedBuffer
	mid, _ := runBar(t, progressAlways, &out, false, 1000, out.String)
	for _, want := range []string{"MB", "read", "rec/s", "applied", "dead-lettered", "retries", "429s", "ETA"} {
		if !strings.Contains(mid, want) {
			t.Errorf("the bar does not show %q:\n%s", want, mid)
		}
	}
}

var (
	midBar   = regexp.MustCompile(`^ +\d+% \|█* *\| .*[\d.,]+ rec/s · applied [\d,]+ .*ETA \d+[hms]`)
	finalBar = regexp.MustCompile(`^ 100% \|█+\| .*[\d.,]+ rec/s · applied [\d,]+ .*ETA 0s$`)
)

// runBar shows a bar on w for a run at a steady pace, writes log lines
// through the output while it runs, stops it at the end of the input, and
// returns the bar mid-run and the final screen. shown is what a terminal
// cols wide has received.
func runBar(t *testing.T, mode progressMode, w io.Writer, tty bool, cols int, shown func() string) (mid string, final []string) {
	t.Helper()
	const total = 1_000_000
	stats := &pipeline.Stats{}
	stopAdvance := make(chan struct{})
	advanced := advance(stats, total, stopAdvance)
	defer func() {
		select {
		case <-stopAdvance:
		default:
			close(stopAdvance)
		}
		<-advanced
	}()
	out := newProgressOutput(w)
	stop := startProgress(mode, false, out, tty, total, 0, stats, zap.NewNop(), time.Hour)
	defer stop()

	s := waitScreen(t, cols, shown, "a bar with an ETA", func(s *screen) bool {
		l := s.lines()
		return len(l) == 1 && midBar.MatchString(l[0])
	})
	mid = s.lines()[0]

	const logLine = "hubsync: a log line while the bar runs"
	fmt.Fprintln(out, logLine)
	out.Write([]byte("a line written "))
	out.Write([]byte("in two parts\n"))
	waitScreen(t, cols, shown, "the log lines above the bar", func(s *screen) bool {
		l := s.lines()
		return len(l) == 3 && l[0] == logLine && l[1] == "a line written in two parts" && midBar.MatchString(l[2])
	})

	close(stopAdvance)
	<-advanced
	stats.Offset.Store(total)
	stop()
	s = waitScreen(t, cols, shown, "the final bar on its own line", func(s *screen) bool {
		l := s.lines()
		return len(l) == 3 && finalBar.MatchString(l[2]) && s.row == 3 && s.col == 0
	})
	return mid, s.lines()
}

// waitScreen waits until the screen shows what ok wants, and returns it.
func waitScreen(t *testing.T, cols int, shown func() string, what string, ok func(*screen) bool) *screen {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := newScreen(cols)
		s.write(shown())
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen does not show %s:\n%s\n(received %q)", what, strings.Join(s.lines(), "\n"), shown())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// screen is a terminal's screen, as far as a progress bar uses one:
// printable characters that wrap at the last column, carriage return, line
// feed (with a carriage return, as a terminal's output processing adds) and
// erase in line. Other escape sequences are dropped.
type screen struct {
	cols     int
	rows     [][]rune
	row, col int
}

func newScreen(cols int) *screen { return &screen{cols: cols, rows: [][]rune{nil}} }

func (s *screen) write(text string) {
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\r':
			s.col = 0
		case r == '\n':
			s.newline()
		case r == '\x1b' && i+1 < len(rs) && rs[i+1] == '[':
			j := i + 2
			for j < len(rs) && (rs[j] < 0x40 || rs[j] > 0x7e) {
				j++
			}
			if j < len(rs) && rs[j] == 'K' {
				s.erase(string(rs[i+2 : j]))
			}
			i = j
		case r < ' ':
		default:
			if s.col == s.cols {
				s.newline()
			}
			line := s.rows[s.row]
			for len(line) <= s.col {
				line = append(line, ' ')
			}
			line[s.col] = r
			s.rows[s.row] = line
			s.col++
		}
	}
}

func (s *screen) newline() {
	s.row, s.col = s.row+1, 0
	if s.row == len(s.rows) {
		s.rows = append(s.rows, nil)
	}
}

func (s *screen) erase(param string) {
	line := s.rows[s.row]
	switch param {
	case "", "0":
		line = line[:min(s.col, len(line))]
	case "1":
		for i := 0; i <= s.col && i < len(line); i++ {
			line[i] = ' '
		}
	case "2":
		line = nil
	}
	s.rows[s.row] = line
}

// lines are the screen's lines without trailing blanks, to the last one
// that is not empty.
func (s *screen) lines() []string {
	var out []string
	for _, r := range s.rows {
		out = append(out, strings.TrimRight(string(r), " "))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}
