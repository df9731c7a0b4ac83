package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/pipeline"
)

// defaultMaxDeadLetters stops a job in which more than half the records
// failed, judged once a thousand records are settled. It catches
// "everything fails" (a renamed column, a date format switched to another
// style) after a thousand dead letters instead of a whole file of them,
// and lets a file with scattered bad rows run to its end.
const defaultMaxDeadLetters = "50%"

// parseMaxDeadLetters reads --max-dead-letters: a count "500" (more dead
// letters than that stop the run; 0 stops at the first), a percentage
// "50%" of the records settled (from pipeline.DefaultDeadLetterSample
// records on), or "none" (also "100%") for no limit. It returns nil for no
// limit.
func parseMaxDeadLetters(s string) (*pipeline.DeadLetterLimit, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "none", "off", "100%":
		return nil, nil
	}
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if err != nil || v <= 0 || v > 100 {
			return nil, fmt.Errorf("--max-dead-letters %q: want a percentage above 0 and up to 100, such as 50%%, a count such as 500, or none", s)
		}
		return &pipeline.DeadLetterLimit{Max: -1, Percent: v}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("--max-dead-letters %q: want a count such as 500, a percentage such as 50%%, or none", s)
	}
	return &pipeline.DeadLetterLimit{Max: n}, nil
}

// withJob returns l counting the records that the earlier runs of a
// resumed job settled: the limit is the job's, as the dead-letter file
// holds every run's failures.
func withJob(l *pipeline.DeadLetterLimit, earlier checkpoint.Counts) *pipeline.DeadLetterLimit {
	if l == nil {
		return nil
	}
	c := *l
	c.EarlierSettled = earlier.Applied + earlier.Unchanged + earlier.DeadLettered
	c.EarlierDead = earlier.DeadLettered
	c.EarlierByCode = earlier.ByCode
	return &c
}

// overLimitAtStart returns an error wrapping pipeline.ErrTooManyDeadLetters
// when a resumed job is over l before this run sends anything: a rerun of
// the same command after a stop for too many dead letters would otherwise
// spend the requests of a few batches to stop again.
func overLimitAtStart(l *pipeline.DeadLetterLimit) error {
	if !l.Enabled() || !l.Exceeded(l.EarlierSettled, l.EarlierDead) {
		return nil
	}
	return fmt.Errorf("%w: %d of the %d records settled by earlier runs of this job are in the dead-letter file, over the limit of %s; "+
		"most common errors: %s; nothing was sent", pipeline.ErrTooManyDeadLetters, l.EarlierDead, l.EarlierSettled, l.String(),
		pipeline.TopCodes(l.EarlierByCode, 3))
}

// tooManyFailedHint says what to do after a run stopped for its dead
// letters.
func tooManyFailedHint(watermark int64, file, cpPath, dlPath string) string {
	return fmt.Sprintf("every record before line %d of %s is settled (the failed ones are in %s); progress is saved in %s.\n"+
		"Look at the errors in the dead-letter file and fix their cause: the mapping (then rerun with --restart, "+
		"as the checkpoint binds the mapping), the input, or the properties in HubSpot. "+
		"To carry on regardless, rerun the same command with --max-dead-letters none.",
		watermark, file, dlPath, cpPath)
}

// allFailed returns an *allFailedError when the job c counts settled
// records and applied none (nor found any unchanged, with
// --only-changed): every record is in the dead-letter file. The
// limit of --max-dead-letters judges a percentage only from a thousand
// records on, and a small file that failed whole (a renamed column, a
// wrong object) is no success with some dead letters either. A dry run,
// which applies nothing, is not judged, nor is a job run with limit nil
// (--max-dead-letters none), which asked for every failure in the
// dead-letter file and no stop for their number.
func allFailed(c checkpoint.Counts, limit *pipeline.DeadLetterLimit) error {
	if limit == nil || c.Applied+c.Unchanged > 0 || c.DeadLettered == 0 {
		return nil
	}
	return &allFailedError{dead: c.DeadLettered, byCode: c.ByCode}
}

// allFailedError ends a finished job whose records all failed with the
// status of too many failures (it wraps pipeline.ErrTooManyDeadLetters).
type allFailedError struct {
	dead   int64
	byCode map[string]int64
}

func (e *allFailedError) Error() string {
	return fmt.Sprintf("every record failed: all %d are in the dead-letter file, none applied; most common errors: %s",
		e.dead, pipeline.TopCodes(e.byCode, 3))
}

func (e *allFailedError) Unwrap() error { return pipeline.ErrTooManyDeadLetters }

// allFailedHint says what to do about a finished job whose records all
// failed.
func allFailedHint(file, dlPath string) string {
	return fmt.Sprintf("The job is finished: every record of %s is in %s with its error. "+
		"Fix their cause (the mapping, the input, or the properties in HubSpot), then rerun with --restart; "+
		"or, to accept them as they are, rerun the same command with --max-dead-letters none, which ends with status 3.", file, dlPath)
}
