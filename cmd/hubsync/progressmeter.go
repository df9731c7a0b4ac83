package main

import (
	"math"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
)

// progressCounts are the counters a progress view is made of: the run's
// counts (Read including Skipped) and what only a live run has.
type progressCounts struct {
	checkpoint.Counts
	Offset  int64  // byte offset in the input just past the last record read
	Skipped int64  // records read that an earlier run already settled
	Waiting string // what holds requests back, "" when nothing
}

func countsOf(s *pipeline.Stats) progressCounts {
	return progressCounts{Counts: s.Snapshot(), Offset: s.Offset.Load(), Skipped: s.Skipped.Load(), Waiting: s.Waiting()}
}

// progressView is where a run stands at one instant.
type progressView struct {
	progressCounts
	Done, Total int64         // bytes of the input read, and its size
	Percent     float64       // of the input read, rounded down to 0.1
	PerSec      float64       // records processed (not skipped) per second lately
	ETA         time.Duration // until the input is read; -1 while unknown
	DryRun      bool          // nothing is sent: Applied and Requests are what would be
}

// rateWindow is about how far back rates and the ETA look.
const rateWindow = 10 * time.Second

// progressMeter turns counters into views, measuring rates over the last
// rateWindow (at least) rather than since the start, so that the ETA
// follows a pace that changes, as it does after 429s.
type progressMeter struct {
	total, from int64
	dryRun      bool
	samples     []progressSample // oldest first; only samples[0] may be older than rateWindow
}

type progressSample struct {
	at              time.Time
	done, processed int64
}

func newProgressMeter(total, from int64, start time.Time) *progressMeter {
	return &progressMeter{total: total, from: from, samples: []progressSample{{at: start, done: from}}}
}

func (m *progressMeter) observe(now time.Time, c progressCounts) progressView {
	v := progressView{progressCounts: c, Done: max(c.Offset, m.from), Total: m.total, Percent: 100, ETA: -1, DryRun: m.dryRun}
	m.samples = append(m.samples, progressSample{at: now, done: v.Done, processed: c.Read - c.Skipped})
	for len(m.samples) > 2 && now.Sub(m.samples[1].at) >= rateWindow {
		m.samples = m.samples[1:]
	}
	if m.total > 0 {
		v.Percent = math.Floor(1000*float64(min(v.Done, m.total))/float64(m.total)) / 10
	}
	old, cur := m.samples[0], m.samples[len(m.samples)-1]
	dt := cur.at.Sub(old.at).Seconds()
	if dt > 0 {
		v.PerSec = math.Round(10*float64(cur.processed-old.processed)/dt) / 10
	}
	switch byteRate := float64(cur.done-old.done) / dt; {
	case v.Done >= m.total:
		v.ETA = 0
	case dt > 0 && byteRate > 0:
		v.ETA = time.Duration(float64(m.total-v.Done) / byteRate * float64(time.Second)).Round(time.Second)
	}
	return v
}
