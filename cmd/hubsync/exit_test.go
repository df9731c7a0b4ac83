package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/hubsync/hubsync/pipeline"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		dead int64
		want int
	}{
		{"applied", nil, 0, exitOK},
		{"dead letters", nil, 2, exitDeadLetters},
		{"no records", errNoRecords, 0, exitNoRecords},
		{"empty csv", fmt.Errorf("%w: in.csv: csv header: no header row", errNoRecords), 0, exitNoRecords},
		{"usage", usageError{errors.New("bad flag")}, 0, exitUsage},
		{"interrupted", pipeline.ErrInterrupted, 0, exitResumable},
		{"interrupted inside a line", fmt.Errorf("read input: %w", errStopReading), 0, exitResumable},
		{"fatal", errors.New("disk full"), 0, exitFatal},
		{"too many dead letters", &pipeline.StopError{Reason: "9 of 10", Err: pipeline.ErrTooManyDeadLetters}, 9, exitTooManyFailed},
		{"too many dead letters at the end", fmt.Errorf("%w: 9 of 10", pipeline.ErrTooManyDeadLetters), 9, exitTooManyFailed},
		{"every record rejected", fmt.Errorf("%w: batches 1, 2", pipeline.ErrAllRejected), 200, exitTooManyFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err, tt.dead); got != tt.want {
				t.Errorf("exitCode(%v, %d) = %d, want %d", tt.err, tt.dead, got, tt.want)
			}
		})
	}
}
