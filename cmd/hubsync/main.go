// Command hubsync pushes large CSV and JSONL files into HubSpot CRM through
// the batch update endpoint, resumably and without losing a record.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	// Time zones for --time-zone and mapping.time_zone, also on systems
	// without a zoneinfo database.
	_ "time/tzdata"
)

// version is set at build time with -ldflags "-X main.version=…"; left
// at "dev", the module version of `go install …@version` stands in.
var version = "dev"

// env is what a command gets from the process: its streams, its environment,
// and the channel that closes on the first Ctrl-C or SIGTERM.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	interrupt      <-chan struct{}
}

func main() {
	// The first signal asks for a clean stop (close interrupt); the second
	// cancels ctx, which abandons requests in flight at once.
	ctx, cancel := context.WithCancel(context.Background())
	interrupt := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		close(interrupt)
		<-sigs
		cancel()
	}()
	stop := startProfiles(os.Getenv("HUBSYNC_CPUPROFILE"), os.Getenv("HUBSYNC_MEMPROFILE"))
	code := run(ctx, os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, interrupt: interrupt})
	cancel()
	stop()
	os.Exit(code)
}

const usage = `hubsync pushes large CSV and JSONL files into HubSpot CRM through the batch
update endpoint, resumably and without losing a record.

Usage:
  hubsync demo                  see it work against a local emulator, no account needed
  hubsync sync [flags] FILE     update HubSpot records from FILE
  hubsync status CHECKPOINT     show where a sync job stands
  hubsync state list|reset ID   see or discard the sync states of sync --only-changed
  hubsync emulator [flags]      run the local HubSpot emulator
  hubsync version               print the version and the commit it was built from
  hubsync help [COMMAND]        show help

Run 'hubsync COMMAND --help' for a command's flags and examples.
`

// run executes one command line and returns the process exit status.
func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "sync":
		return runSync(ctx, rest, e)
	case "status":
		return runStatus(ctx, rest, e)
	case "state":
		return runState(ctx, rest, e)
	case "demo":
		return runDemo(ctx, rest, e)
	case "emulator":
		// The emulator has nothing to drain: the first signal stops it.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-e.interrupt:
				cancel()
			case <-ctx.Done():
			}
		}()
		return runEmulator(ctx, rest, e.stdout, e.stderr, e.getenv)
	case "version", "--version":
		printVersion(e.stdout, currentBuild())
		return exitOK
	case "help", "-h", "--help":
		if len(rest) > 0 {
			return run(ctx, []string{rest[0], "--help"}, e)
		}
		fmt.Fprint(e.stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "hubsync: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
}

// drainTimeout bounds how long requests in flight may take to finish after
// the first Ctrl-C.
const drainTimeout = 30 * time.Second

// stopAfterDrain returns a context that is cancelled d after interrupt is
// closed, so that a clean stop cannot hang on a request that never ends.
func stopAfterDrain(ctx context.Context, interrupt <-chan struct{}, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		select {
		case <-ctx.Done():
			return
		case <-interrupt:
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}()
	return ctx, cancel
}
