package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/hubsync/hubsync/checkpoint"
)

const statusUsage = `Usage: hubsync status CHECKPOINT

Prints where a sync job stands, from its checkpoint file (by default
FILE.checkpoint.json next to the input): the input, how much of it is
settled, the counts, when it last advanced, and the command to resume it.

Example:
  hubsync status calls.csv.checkpoint.json
`

// runStatus is the status command.
func runStatus(_ context.Context, args []string, e env) int {
	fs := pflag.NewFlagSet("status", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, statusUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprint(e.stderr, statusUsage)
		return exitUsage
	}
	st, err := loadStatus(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(e.stderr, "hubsync status: %v\n", err)
		return exitUsage
	}
	printStatus(e.stdout, st, time.Now())
	return exitOK
}

func printStatus(w io.Writer, st *checkpoint.State, now time.Time) {
	settled := st.Watermark.Offset
	for _, sp := range st.Settled {
		settled += sp.End.Offset - sp.Start
	}
	pct := 100.0
	if st.Input.Size > 0 {
		pct = 100 * float64(settled) / float64(st.Input.Size)
	}
	state := "in progress"
	if st.Complete {
		state = "complete"
	}
	c := st.Counts
	fmt.Fprintf(w, "input:        %s (%d bytes)\n", st.Input.Path, st.Input.Size)
	fmt.Fprintf(w, "object:       %s\n", st.Settings["object"])
	fmt.Fprintf(w, "state:        %s, %.1f%% settled (every record up to line %d, byte %d)\n",
		state, pct, st.Watermark.Line, st.Watermark.Offset)
	if c.Unchanged > 0 {
		fmt.Fprintf(w, "records:      %d applied, %d unchanged, %d dead-lettered\n", c.Applied, c.Unchanged, c.DeadLettered)
	} else {
		fmt.Fprintf(w, "records:      %d applied, %d dead-lettered\n", c.Applied, c.DeadLettered)
	}
	fmt.Fprintf(w, "requests:     %d (%d answered 429, %d retries, %d to split rejected batches)\n",
		c.Requests, c.RateLimited, c.Retries, c.Splits)
	if len(c.ByCode) > 0 {
		codes := slices.Sorted(maps.Keys(c.ByCode))
		parts := make([]string, len(codes))
		for i, k := range codes {
			parts[i] = fmt.Sprintf("%s %d", k, c.ByCode[k])
		}
		fmt.Fprintf(w, "dead letters: %s in %s\n", strings.Join(parts, ", "), st.DeadLetterPath)
	}
	fmt.Fprintf(w, "started:      %s\n", st.StartedAt.Local().Format(time.DateTime))
	fmt.Fprintf(w, "last advance: %s (%s ago)\n", st.UpdatedAt.Local().Format(time.DateTime),
		now.Sub(st.UpdatedAt).Round(time.Second))
	if !st.Complete && len(st.Command) > 0 {
		fmt.Fprintf(w, "resume with:  %s\n", shellJoin(st.Command))
	}
}

// shellJoin quotes args for a POSIX shell where needed.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,@%+", r))
		}) < 0 {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
