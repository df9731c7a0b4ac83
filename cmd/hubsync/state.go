package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/hubsync/hubsync/checkpoint"
	"github.com/hubsync/hubsync/checkpoint/syncstate"
)

const stateUsage = `Usage: hubsync state list [--state-dir DIR]
       hubsync state reset [--state-dir DIR] TARGET

Shows and discards the sync states of 'hubsync sync --only-changed'. A sync
state holds, for one target, what HubSpot last confirmed of each record, so
that the next run sends only what changed. A target is a portal (account),
an object type, an id property and the settings that shape the values sent
(the mapping, --empty): not the input's file name, so that dated nightly
files (calls-2026-12-01.csv, calls-2026-12-02.csv) share one state.

  list    the targets: id, portal, object, id property, records, last run
  reset   forget the state of TARGET (an id that list shows): its next run
          sends every record. Refused while a run uses it. Records in
          HubSpot are not touched.

Reset a state when someone edited many records in HubSpot by hand and you
want them all sent again; for one night, 'sync --only-changed
--full-resync' does the same and keeps the state.

Examples:
  hubsync state list
  hubsync state reset 12345678-communications-id-0a1b2c3d

Flags:
`

// runState is the state command.
func runState(_ context.Context, args []string, e env) int {
	fs := pflag.NewFlagSet("state", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var dir string
	fs.StringVar(&dir, "state-dir", "", "the sync states are in `DIR`, as for sync --state-dir (default $XDG_STATE_HOME/hubsync, else ~/.local/state/hubsync)")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, stateUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	sub := fs.Args()
	if len(sub) == 0 || (sub[0] == "list" && len(sub) != 1) || (sub[0] == "reset" && len(sub) != 2) ||
		(sub[0] != "list" && sub[0] != "reset") {
		fs.Usage()
		return exitUsage
	}
	if dir == "" {
		var err error
		if dir, err = syncstate.DefaultDir(e.getenv); err != nil {
			fmt.Fprintf(e.stderr, "hubsync state: %v\n", err)
			return exitUsage
		}
	}
	if sub[0] == "list" {
		infos, err := syncstate.List(dir)
		if err != nil {
			fmt.Fprintf(e.stderr, "hubsync state: %v\n", err)
			return exitFatal
		}
		printStates(e.stdout, dir, infos)
		return exitOK
	}
	if err := syncstate.Reset(dir, sub[1]); err != nil {
		var locked *checkpoint.LockedError
		if errors.As(err, &locked) {
			err = fmt.Errorf("a run is using the sync state %s, %s (lock %s): wait for it to end", sub[1], locked.Holder(), locked.Path)
		}
		fmt.Fprintf(e.stderr, "hubsync state: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "reset %s: its next run sends every record\n", sub[1])
	return exitOK
}

// printStates writes the targets of the state dir as a table.
func printStates(w io.Writer, dir string, infos []syncstate.Info) {
	if len(infos) == 0 {
		fmt.Fprintf(w, "no sync state in %s (sync --only-changed makes one)\n", dir)
		return
	}
	fmt.Fprintf(w, "sync states in %s:\n", dir)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tPORTAL\tOBJECT\tID PROPERTY\tRECORDS\tRUNS\tLAST RUN\tSETTINGS")
	for _, info := range infos {
		if info.Problem != "" {
			fmt.Fprintf(tw, "%s\t\t\t\t\t\t\tunusable: %s\n", info.ID, info.Problem)
			continue
		}
		idProp, last := info.IDProperty, "never"
		if idProp == "" {
			idProp = "(record id)"
		}
		if !info.LastRun.IsZero() {
			last = info.LastRun.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", info.ID, info.Portal, info.Object, idProp, info.Records,
			info.Generation, last, settingsText(info.Settings))
	}
	_ = tw.Flush()
}

// settingsText is "empty=skip mapping=0a1b2c3d…", sorted by key.
func settingsText(s map[string]string) string {
	parts := make([]string, 0, len(s))
	for _, k := range slices.Sorted(maps.Keys(s)) {
		parts = append(parts, k+"="+s[k])
	}
	return strings.Join(parts, " ")
}
