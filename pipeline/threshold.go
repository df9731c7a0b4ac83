package pipeline

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// ErrTooManyDeadLetters is wrapped by the StopError of a run that stopped
// because its job dead-lettered more records than Config.DeadLetterLimit
// allows.
var ErrTooManyDeadLetters = errors.New("too many records failed")

// DefaultDeadLetterSample is how many settled records the percentage of a
// DeadLetterLimit waits for before it applies: enough that a few bad rows
// at the top of a file do not stop a run, few enough that a file in which
// every record fails costs a thousand dead letters, not a million.
const DefaultDeadLetterSample = 1000

// DeadLetterLimit says when a job has failed too often to go on: every
// record failing the same way (a renamed column, a date format) is better
// fixed once than dead-lettered for the whole file. The counts are the
// job's: Earlier holds what the earlier runs of a resumed job settled.
type DeadLetterLimit struct {
	// Max: more dead letters than this stop the run (negative: no such
	// limit; 0 stops at the first).
	Max int64
	// Percent: more than this percentage of the settled records
	// dead-lettered stops the run, once Sample records are settled
	// (0: no such limit).
	Percent float64
	// Sample is the records settled before Percent applies (default
	// DefaultDeadLetterSample).
	Sample int64

	// Counts of the earlier runs of the job.
	EarlierSettled, EarlierDead int64
	EarlierByCode               map[string]int64
}

// Enabled reports whether the limit can stop a run.
func (l *DeadLetterLimit) Enabled() bool {
	return l != nil && (l.Max >= 0 || (l.Percent > 0 && l.Percent < 100))
}

// Exceeded reports whether dead of settled records (the job's) is over the
// limit. The percentage waits for Sample settled records: a file shorter
// than that is never over it, as its dead letters are few enough to read
// and its status already says some records failed.
func (l DeadLetterLimit) Exceeded(settled, dead int64) bool {
	if l.Max >= 0 && dead > l.Max {
		return true
	}
	if l.Percent <= 0 || l.Percent >= 100 || settled == 0 {
		return false
	}
	sample := l.Sample
	if sample <= 0 {
		sample = DefaultDeadLetterSample
	}
	return settled >= sample && float64(dead) > l.Percent*float64(settled)/100
}

// String describes the limit as --max-dead-letters takes it.
func (l DeadLetterLimit) String() string {
	var parts []string
	if l.Max >= 0 {
		parts = append(parts, strconv.FormatInt(l.Max, 10))
	}
	if l.Percent > 0 && l.Percent < 100 {
		sample := l.Sample
		if sample <= 0 {
			sample = DefaultDeadLetterSample
		}
		parts = append(parts, fmt.Sprintf("%s%% (from %d records on)", strconv.FormatFloat(l.Percent, 'f', -1, 64), sample))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " and ")
}

// TopCodes lists the n most common codes of byCode, most common first, as
// "CODE (count)".
func TopCodes(byCode map[string]int64, n int) string {
	codes := slices.SortedFunc(maps.Keys(byCode), func(a, b string) int {
		return cmp.Or(cmp.Compare(byCode[b], byCode[a]), cmp.Compare(a, b))
	})
	var parts []string
	for i, c := range codes {
		if i == n {
			parts = append(parts, fmt.Sprintf("%d more", len(codes)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", c, byCode[c]))
	}
	return strings.Join(parts, ", ")
}

// checkDeadLetters returns a *StopError once the job's dead letters are
// over the limit. Only the committer calls it, after recording a batch.
func (p *Pipeline) checkDeadLetters() error {
	l := p.cfg.DeadLetterLimit
	if !l.Enabled() {
		return nil
	}
	dead := l.EarlierDead + p.stats.DeadLettered.Load()
	// An unchanged record is settled as surely as an applied one: a
	// night of few changes must not be judged on those few alone.
	settled := l.EarlierSettled + p.stats.Applied.Load() + p.stats.Unchanged.Load() + p.stats.DeadLettered.Load()
	if !l.Exceeded(settled, dead) {
		return nil
	}
	byCode := p.stats.DeadByCode()
	if byCode == nil {
		byCode = make(map[string]int64)
	}
	for c, n := range l.EarlierByCode {
		byCode[c] += n
	}
	// Reads "stopped: too many records failed: 1000 of the 1000 …".
	return &StopError{Reason: "stopped", Err: fmt.Errorf(
		"%w: %d of the %d records settled so far are in the dead-letter file, over the limit of %s; most common errors: %s",
		ErrTooManyDeadLetters, dead, settled, l.String(), TopCodes(byCode, 3))}
}
