package pipeline

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

func TestDeadLetterLimitExceeded(t *testing.T) {
	tests := []struct {
		name          string
		limit         DeadLetterLimit
		settled, dead int64
		want          bool
	}{
		{"none", DeadLetterLimit{Max: -1}, 5000, 5000, false},
		{"zero stops at the first", DeadLetterLimit{}, 1, 1, true},
		{"100% never stops", DeadLetterLimit{Max: -1, Percent: 100}, 5000, 5000, false},
		{"count not passed", DeadLetterLimit{Max: 10}, 100, 10, false},
		{"count passed", DeadLetterLimit{Max: 10}, 11, 11, true},
		{"percent before the sample", DeadLetterLimit{Max: -1, Percent: 50}, 999, 999, false},
		{"percent at the sample", DeadLetterLimit{Max: -1, Percent: 50}, 1000, 501, true},
		{"half is not more than half", DeadLetterLimit{Max: -1, Percent: 50}, 1000, 500, false},
		{"short file", DeadLetterLimit{Max: -1, Percent: 50}, 20, 20, false},
		{"own sample", DeadLetterLimit{Max: -1, Percent: 10, Sample: 10}, 10, 2, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.limit.Exceeded(tc.settled, tc.dead); got != tc.want {
				t.Errorf("Exceeded(%d, %d) = %v, want %v", tc.settled, tc.dead, got, tc.want)
			}
		})
	}
}

// TestRunStopsAtDeadLetterLimit fails every record before sending (as a
// date in the wrong format does) and checks that the run stops resumably
// soon after the sample, naming the error codes, with what it read and did
// not settle left for the next run.
func TestRunStopsAtDeadLetterLimit(t *testing.T) {
	tests := []struct {
		name    string
		limit   *DeadLetterLimit
		records int
		maxDead int64 // the sample plus what may be in flight
	}{
		{"percent", &DeadLetterLimit{Max: -1, Percent: 50}, 5000, 1000 + 16*100},
		{"count", &DeadLetterLimit{Max: 200}, 5000, 200 + 16*100},
		{"earlier runs count", &DeadLetterLimit{Max: -1, Percent: 50, EarlierSettled: 2000, EarlierDead: 1500,
			EarlierByCode: map[string]int64{"INVALID_DATE": 1500}}, 5000, 16 * 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids := make([]string, tc.records)
			for i := range ids {
				ids[i] = strconv.Itoa(i + 1)
			}
			recs := records(ids...)
			s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) { return applyAll(in), nil }}
			d := &fakeDead{}
			cfg := Config{BatchSize: 100, Workers: 4, DeadLetterLimit: tc.limit,
				Transform: func(rec source.Record) source.Record {
					rec.Err = &source.RecordError{Code: "INVALID_DATE", Message: "not a date"}
					return rec
				}}
			p := newTestPipeline(t, cfg, recs, s, d)
			err := p.Run(context.Background())
			var stop *StopError
			if !errors.As(err, &stop) || !errors.Is(err, ErrTooManyDeadLetters) {
				t.Fatalf("Run = %v, want a StopError wrapping ErrTooManyDeadLetters", err)
			}
			if !strings.Contains(err.Error(), "INVALID_DATE (") {
				t.Errorf("error %q does not name the most common code", err)
			}
			dead := p.Stats().DeadLettered.Load()
			if dead > tc.maxDead || dead == 0 {
				t.Errorf("%d dead letters, want 1..%d", dead, tc.maxDead)
			}
			if int64(len(d.entries)) != dead {
				t.Errorf("%d entries written, stats say %d", len(d.entries), dead)
			}
			if s.calls != 0 {
				t.Errorf("%d requests sent for records that all failed before sending", s.calls)
			}
		})
	}
}

func TestTopCodes(t *testing.T) {
	got := TopCodes(map[string]int64{"A": 1, "B": 5, "C": 5, "D": 2}, 3)
	if want := "B (5), C (5), D (2), 1 more"; got != want {
		t.Errorf("TopCodes = %q, want %q", got, want)
	}
}
