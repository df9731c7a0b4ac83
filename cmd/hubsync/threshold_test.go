package main

import (
	"errors"
	"testing"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
)

// TestUnchangedRecordsAreSettled: with --only-changed, a night whose few
// changed records all failed is no file in which every record failed, and
// the records found unchanged count as settled for --max-dead-letters.
func TestUnchangedRecordsAreSettled(t *testing.T) {
	limit := &pipeline.DeadLetterLimit{Max: -1, Percent: 50}
	tests := []struct {
		name    string
		c       checkpoint.Counts
		wantErr bool
	}{
		{"every record failed", checkpoint.Counts{Read: 10, DeadLettered: 10}, true},
		{"the changed ones failed, the rest unchanged", checkpoint.Counts{Read: 1000, Unchanged: 990, DeadLettered: 10}, false},
		{"some applied", checkpoint.Counts{Read: 20, Applied: 10, DeadLettered: 10}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := allFailed(tt.c, limit)
			if got := errors.Is(err, pipeline.ErrTooManyDeadLetters); got != tt.wantErr {
				t.Errorf("allFailed = %v, want an error %v", err, tt.wantErr)
			}
		})
	}
	l := withJob(limit, checkpoint.Counts{Applied: 5, Unchanged: 990, DeadLettered: 5})
	if l.EarlierSettled != 1000 || l.EarlierDead != 5 {
		t.Errorf("withJob: earlier settled %d, dead %d; want 1000, 5", l.EarlierSettled, l.EarlierDead)
	}
}
