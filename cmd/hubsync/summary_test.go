package main

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
)

func TestResumedText(t *testing.T) {
	tests := []struct {
		name, format string
		at, skipped  int64
		want         string
	}{
		{"csv", "csv", 602, 0, "resumed at line 602: lines 2..601 settled by earlier runs"},
		{"jsonl", "jsonl", 602, 0, "resumed at line 602: lines 1..601 settled by earlier runs"},
		{"one line", "csv", 3, 0, "resumed at line 3: line 2 settled by an earlier run"},
		{"nothing before", "csv", 2, 0, "resumed at line 2: no record before it was settled"},
		{"skipped beyond", "jsonl", 10, 1, "resumed at line 10: lines 1..9 settled by earlier runs; 1 record beyond it settled too, skipped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runReport{Format: tt.format, Resumed: true, ResumedAtLine: tt.at, Counts: reportCounts{Skipped: tt.skipped}}
			if got := resumedText(r); got != tt.want {
				t.Errorf("resumedText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOutcomeTooManyFailed(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"over the limit", resumableError{err: &pipeline.StopError{Reason: "stopped",
			Err: fmt.Errorf("%w: 600 of the 1000 records", pipeline.ErrTooManyDeadLetters)}, hint: "every record before line 1001"},
			"stopped: too many records failed: 600 of the 1000 records"},
		{"rejected batches", resumableError{err: fmt.Errorf("%w: every record of the last 5 batches was rejected", pipeline.ErrAllRejected),
			hint: "every record before line 501"},
			"stopped: every record rejected: every record of the last 5 batches was rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runReport{ExitStatus: exitTooManyFailed, Error: tt.err.Error()}
			if got := outcome(r); got != tt.want {
				t.Errorf("outcome = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLogSummary(t *testing.T) {
	job := &checkpoint.Counts{Applied: 90, DeadLettered: 10, ByCode: map[string]int64{"OBJECT_NOT_FOUND": 10}}
	tests := []struct {
		name    string
		err     error
		resumed bool
		msg     string
		want    map[string]any // fields checked
	}{
		{"finished", nil, false, "sync finished", map[string]any{"reason": nil, "job_dead_lettered": nil}},
		{"interrupted", pipeline.ErrInterrupted, false, "sync stopped", map[string]any{"reason": "interrupted"}},
		{"fatal, first line only", fmt.Errorf("send batch 3: %w", errors.New("boom\nmore")), false, "sync stopped",
			map[string]any{"reason": "send batch 3: boom"}},
		{"resumed", nil, true, "sync finished", map[string]any{"job_applied": int64(90), "job_dead_lettered": int64(10),
			"dead_letter": "calls.dead-letter.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := observer.New(zap.InfoLevel)
			logSummary(zap.New(core), &pipeline.Stats{}, time.Second, "calls.dead-letter.csv", tt.err, job, tt.resumed)
			entries := logs.All()
			if len(entries) != 1 {
				t.Fatalf("%d log entries, want 1", len(entries))
			}
			if entries[0].Message != tt.msg {
				t.Errorf("message %q, want %q", entries[0].Message, tt.msg)
			}
			fields := entries[0].ContextMap()
			got := map[string]any{}
			for k := range tt.want {
				got[k] = fields[k]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLogSummaryFields pins the fields of the summary line, in their
// order, as log readers see them.
func TestLogSummaryFields(t *testing.T) {
	s := &pipeline.Stats{}
	s.Read.Store(12)
	s.Skipped.Store(2)
	s.Applied.Store(8)
	s.DeadLettered.Store(2)
	s.Requests.Store(3)
	s.RateLimited.Store(1)
	s.Retries.Store(4)
	s.Splits.Store(5)
	core, logs := observer.New(zap.InfoLevel)
	logSummary(zap.New(core), s, 2*time.Second, "calls.dead-letter.csv", pipeline.ErrInterrupted, nil, false)
	entries := logs.All()
	if len(entries) != 1 {
		t.Fatalf("%d log entries, want 1", len(entries))
	}
	var keys []string
	for _, f := range entries[0].Context {
		keys = append(keys, f.Key)
	}
	wantKeys := []string{"read", "applied", "dead_lettered", "requests", "rate_limited", "retries", "split_requests",
		"elapsed", "records_per_sec", "dead_by_code", "dead_letter", "reason"}
	if diff := cmp.Diff(wantKeys, keys); diff != "" {
		t.Errorf("field keys (-want +got):\n%s", diff)
	}
	fields := entries[0].ContextMap()
	want := map[string]any{"read": int64(12), "applied": int64(8), "dead_lettered": int64(2), "requests": int64(3),
		"rate_limited": int64(1), "retries": int64(4), "split_requests": int64(5), "elapsed": 2 * time.Second,
		"records_per_sec": 6.0, "dead_letter": "calls.dead-letter.csv"}
	for k, v := range want {
		if diff := cmp.Diff(v, fields[k]); diff != "" {
			t.Errorf("field %s (-want +got):\n%s", k, diff)
		}
	}
}
