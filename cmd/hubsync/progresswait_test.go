package main

import (
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hubsync/hubsync/checkpoint"
)

// TestProgressSaysWhatItWaitsFor: while requests wait for the rate window
// (or a 429's pause), the bar and the progress log line say so.
func TestProgressSaysWhatItWaitsFor(t *testing.T) {
	const waiting = "waiting for the rate window: 190 requests in the last 10s"
	v := progressView{progressCounts: progressCounts{Counts: checkpoint.Counts{Read: 5000, Applied: 4900}, Waiting: waiting}, Done: 10, Total: 100, ETA: -1}
	for _, width := range []int{0, 200} {
		if got := v.barText(width); !strings.Contains(got, waiting) {
			t.Errorf("barText(%d) = %q, want it to say %q", width, got, waiting)
		}
	}
	if got := v.barText(60); strings.Contains(got, "waiting") {
		t.Errorf("barText(60) = %q: the wait should give way to the ETA and the rate on a narrow terminal", got)
	}
	core, logs := observer.New(zap.InfoLevel)
	logDisplay{zap.New(core)}.show(v)
	entries := logs.All()
	if len(entries) != 1 || entries[0].ContextMap()["waiting"] != waiting {
		t.Errorf("progress log = %+v, want a waiting field %q", entries, waiting)
	}
	v.Waiting = ""
	if got := v.barText(0); strings.Contains(got, "waiting") {
		t.Errorf("barText = %q when nothing waits", got)
	}
}
