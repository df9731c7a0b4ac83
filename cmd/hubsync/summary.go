package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// printSummary writes the report's numbers for a person, in a few lines.
// It says only what happened: a dry run "would apply", and a resumed run
// counts the whole job where the dead-letter file is concerned, since that
// file holds the earlier runs' entries too.
func printSummary(w io.Writer, r runReport) {
	if r.DryRun && r.ExitStatus != exitUsage {
		printDryRunSummary(w, r)
		return
	}
	c := r.Counts
	fmt.Fprintf(w, "sync of %s into %s: %s (exit status %d)\n", r.Input, r.Object, outcome(r), r.ExitStatus)
	if r.ExitStatus == exitUsage {
		return
	}
	run := fmt.Sprintf("%s records in %s, %s records/s", group(c.Read-c.Skipped), elapsedText(r.ElapsedSeconds), perSecond(r.RecordsPerSec))
	if r.Resumed {
		run += "; " + resumedText(r)
	}
	fmt.Fprintf(w, "  this run:     %s\n", run)
	fmt.Fprintf(w, "  records:      %s applied, %s%s dead-lettered\n", group(c.Applied), unchangedText(c.Unchanged), group(c.DeadLettered))
	fmt.Fprintf(w, "  requests:     %s (%s answered 429, %s retries, %s to split rejected batches)\n",
		group(c.Requests), group(c.RateLimited), group(c.Retries), group(c.SplitRequests))
	byCode := c.DeadByCode
	if t := r.JobTotals; t != nil && r.Resumed {
		var unchanged *int64
		if c.Unchanged != nil {
			unchanged = &t.Unchanged
		}
		fmt.Fprintf(w, "  whole job:    %s applied, %s%s dead-lettered\n", group(t.Applied), unchangedText(unchanged), group(t.DeadLettered))
		byCode = t.ByCode
	}
	if len(byCode) > 0 {
		fmt.Fprintf(w, "  dead letters: %s, in %s\n", codeCounts(byCode), r.DeadLetter)
	}
	fmt.Fprintf(w, "  checkpoint:   %s\n", r.Checkpoint)
	printSyncState(w, r)
	printAdvice(w, r.Warnings, nextStep(r))
}

// unchangedText is "12 unchanged, " for the records line of an
// --only-changed run (n set), "" for other runs.
func unchangedText(n *int64) string {
	if n == nil {
		return ""
	}
	return group(*n) + " unchanged, "
}

// printSyncState writes where an --only-changed run keeps what HubSpot
// confirmed, and the records of that state that the file no longer holds:
// hubsync deletes nothing, so a person may want to.
func printSyncState(w io.Writer, r runReport) {
	if r.SyncState == "" {
		return
	}
	fmt.Fprintf(w, "  sync state:   %s\n", r.SyncState)
	if n := r.Counts.NotInFile; n != nil && *n > 0 {
		fmt.Fprintf(w, "  not in file:  %s of the sync state (not deleted in HubSpot)\n", records(*n))
	}
}

// printAdvice writes the lines every summary ends with: the warnings,
// then what to do next ("" for nothing).
func printAdvice(w io.Writer, warnings []string, next string) {
	for _, warning := range warnings {
		fmt.Fprintf(w, "  warning:      %s\n", warning)
	}
	if next != "" {
		fmt.Fprintf(w, "  next:         %s\n", next)
	}
}

// nextStep says what to do after a run that ended as r did; "" after a
// success. A dry run has fewer ends: it sends nothing and saves nothing.
func nextStep(r runReport) string {
	switch {
	case r.ExitStatus == exitNoRecords:
		return "check the export that wrote the input: an empty input is not a successful sync"
	case r.DryRun && r.ExitStatus == exitOK:
		return "run the same command without --dry-run to apply them"
	case r.DryRun && r.ExitStatus == exitDeadLetters:
		return fmt.Sprintf("fix the records in %s, or run without --dry-run to apply the others", r.DeadLetter)
	case r.DryRun:
		return ""
	case r.ExitStatus == exitFatal:
		return "fix the cause, then run the same command again; it resumes from the checkpoint"
	case r.ExitStatus == exitDeadLetters:
		return fmt.Sprintf("fix the records in %s, then sync that file", r.DeadLetter)
	case r.ExitStatus == exitResumable && r.InputChanged:
		return "rerun once the export has finished (see below)"
	case r.ExitStatus == exitResumable:
		return "run the same command again; it resumes from the checkpoint"
	case r.ExitStatus == exitTooManyFailed && r.AllFailed:
		return "look at the errors in the dead-letter file and fix their cause; then rerun with --restart"
	case r.ExitStatus == exitTooManyFailed:
		// Not a plain rerun: the job is still over the limit, and a rerun
		// would stop again before sending anything.
		return "look at the most common errors in the dead-letter file and fix the cause; " +
			"then rerun with --restart, or with --max-dead-letters none to carry on from the checkpoint"
	}
	return ""
}

// printDryRunSummary is printSummary for a dry run, which sent nothing.
func printDryRunSummary(w io.Writer, r runReport) {
	c := r.Counts
	fmt.Fprintf(w, "dry run of %s into %s: %s (exit status %d)\n", r.Input, r.Object, dryOutcome(r), r.ExitStatus)
	if c.Read > 0 {
		fmt.Fprintf(w, "  this run:     %s in %s, %s records/s\n", records(c.Read), elapsedText(r.ElapsedSeconds), perSecond(r.RecordsPerSec))
	}
	if len(c.DeadByCode) > 0 {
		fmt.Fprintf(w, "  would fail:   %s, in %s\n", codeCounts(c.DeadByCode), r.DeadLetter)
	}
	if u := c.Unchanged; u != nil && (r.ExitStatus == exitOK || r.ExitStatus == exitDeadLetters) {
		fmt.Fprintf(w, "  only changed: would send %s in %s; %s unchanged\n", records(c.WouldApply), plural(c.RequestsNeeded, "request"), group(*u))
	}
	if r.ExitStatus == exitOK || r.ExitStatus == exitDeadLetters {
		fmt.Fprintf(w, "  real run:     %s of up to %s, %s\n", plural(c.RequestsNeeded, "request"), records(int64(r.Settings.BatchSize)),
			timeAtRate(c.RequestsNeeded, r.Settings.Rate))
	}
	printAdvice(w, r.Warnings, nextStep(r))
}

// timeAtRate says how long n requests take at rate, the --rate of the
// run, at the least: HubSpot's answer times come on top.
func timeAtRate(n int64, rate string) string {
	rf, err := parseRate(rate)
	if err != nil || rf.N == 0 {
		return "as fast as HubSpot answers (--rate " + rate + ")"
	}
	est := time.Duration(float64(n) / float64(rf.N) * float64(rf.Window))
	if est < time.Second {
		return "under a second at --rate " + rf.String() + " (plus HubSpot's answer times)"
	}
	return "about " + est.Round(time.Second).String() + " at --rate " + rf.String() + " (plus HubSpot's answer times)"
}

// outcome says in words how the run ended, as its exit status does.
func outcome(r runReport) string {
	firstLine, _, _ := strings.Cut(r.Error, "\n")
	switch r.ExitStatus {
	case exitOK:
		if u := r.Counts.Unchanged; u != nil && *u > 0 {
			return "complete, every record applied or unchanged"
		}
		return "complete, every record applied"
	case exitDeadLetters:
		n := r.Counts.DeadLettered
		if r.JobTotals != nil {
			n = r.JobTotals.DeadLettered // the file holds every run's
		}
		return fmt.Sprintf("complete, %s in the dead-letter file", records(n))
	case exitResumable:
		return "stopped before the end: " + firstLine
	case exitUsage:
		return "not started: " + firstLine
	case exitNoRecords:
		return "finished, but the input held no records"
	case exitTooManyFailed:
		if r.AllFailed {
			return "finished, but " + firstLine
		}
		// The limit's error reads "stopped: too many records failed: …";
		// a streak of rejected batches has no such prefix.
		if strings.HasPrefix(firstLine, "stopped: ") {
			return firstLine
		}
		return "stopped: " + firstLine
	}
	return "stopped by an error: " + firstLine
}

// dryOutcome is outcome for a dry run.
func dryOutcome(r runReport) string {
	firstLine, _, _ := strings.Cut(r.Error, "\n")
	c := r.Counts
	switch r.ExitStatus {
	case exitOK, exitDeadLetters:
		s := "nothing was sent; " + records(c.WouldApply) + " would apply"
		if c.DeadLettered > 0 {
			s += ", " + group(c.DeadLettered) + " would fail"
		}
		return s + ", " + plural(c.RequestsNeeded, "request") + " needed"
	case exitResumable:
		return "stopped before the end, nothing was sent: " + firstLine
	case exitNoRecords:
		return "nothing was sent: the input held no records"
	}
	return "stopped by an error, nothing was sent: " + firstLine
}

// resumedText says where a resumed run started and what it skipped: the
// lines before its start, which earlier runs settled, and records beyond
// it that they settled too.
func resumedText(r runReport) string {
	first := int64(1) // the first line that can hold a record
	if r.Format == "csv" {
		first = 2 // after the header
	}
	at := r.ResumedAtLine
	var s string
	switch {
	case at > first+1:
		s = fmt.Sprintf("resumed at line %d: lines %d..%d settled by earlier runs", at, first, at-1)
	case at == first+1:
		s = fmt.Sprintf("resumed at line %d: line %d settled by an earlier run", at, first)
	default:
		s = fmt.Sprintf("resumed at line %d: no record before it was settled", at)
	}
	if n := r.Counts.Skipped; n > 0 {
		s += fmt.Sprintf("; %s beyond it settled too, skipped", records(n))
	}
	return s
}

// codeCounts is "INVALID_DATE 1, OBJECT_NOT_FOUND 2": counts by error
// code, in the order of the codes.
func codeCounts(byCode map[string]int64) string {
	codes := slices.Sorted(maps.Keys(byCode))
	parts := make([]string, len(codes))
	for i, k := range codes {
		parts[i] = k + " " + group(byCode[k])
	}
	return strings.Join(parts, ", ")
}

// records is "1 record", "12,345 records".
func records(n int64) string { return plural(n, "record") }

func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return group(n) + " " + noun + "s"
}

// elapsedText is a run's duration to the tenth of a second under a
// minute, to the second above.
func elapsedText(seconds float64) string {
	d := time.Duration(seconds * float64(time.Second))
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// perSecond is a rate with one decimal below 100, none above.
func perSecond(r float64) string {
	if r < 100 {
		return fmt.Sprintf("%.1f", r)
	}
	return group(int64(r + 0.5))
}

// group is n with thousands separated: 12,345.
func group(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
