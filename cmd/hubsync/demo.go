package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/hubsync/hubsync/emulator"
)

const demoUsage = `Usage: hubsync demo [flags]

Shows hubsync at work without a HubSpot account: starts the local HubSpot
emulator in this process, writes a sample file of communications records
(with a few deliberately bad rows), syncs it, interrupts the sync part-way
as Ctrl-C would, resumes it from the checkpoint, and ends with the report
and the paths of the dead-letter file and the checkpoint. Nothing is left
running afterwards; the files stay in --dir.

Examples:
  go run ./cmd/hubsync demo
  hubsync demo --records 5000 --dir /tmp/hubsync-demo

Flags:
`

// runDemo is the demo command.
func runDemo(ctx context.Context, args []string, e env) int {
	fs := pflag.NewFlagSet("demo", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.SortFlags = false
	dir := fs.String("dir", "", "folder for the sample, dead-letter and checkpoint files (default: a new temporary folder)")
	records := fs.Int("records", 30000, "records in the sample file")
	fs.Usage = func() { fmt.Fprint(e.stderr, demoUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *records < 100 {
		fmt.Fprintln(e.stderr, "hubsync demo: --records must be at least 100")
		return exitUsage
	}
	if err := demo(ctx, *dir, *records, e); err != nil {
		fmt.Fprintf(e.stderr, "hubsync demo: %v\n", err)
		return exitFatal
	}
	return exitOK
}

func demo(ctx context.Context, dir string, n int, e env) error {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "hubsync-demo-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tok := make([]byte, 16)
	rand.Read(tok)
	token := "demo-" + hex.EncodeToString(tok)

	// A Professional account's burst limit, enforced as HubSpot does.
	srv, err := emulator.New(emulator.Config{Token: token, SeedIDs: int64(n), Rate: 190, Window: 10 * time.Second, Seed: 1})
	if err != nil {
		return err
	}
	// Serve the emulator behind a hook that presses "Ctrl-C" for the first
	// run when the request that brings in the first third arrives, so the
	// demo interrupts at the same point whatever the machine's speed.
	interrupt := make(chan struct{})
	var batches atomic.Int64
	third := int64(n/100/3 + 1)
	hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/batch/update") && batches.Add(1) == third {
			close(interrupt)
		}
		srv.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: hook, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		hs.Serve(ln)
	}()
	defer func() {
		hs.Close()
		<-served
	}()
	url := "http://" + ln.Addr().String()

	input := filepath.Join(dir, "communications.csv")
	f, err := os.Create(input)
	if err != nil {
		return err
	}
	bad, err := writeSample(f, n, 1)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write sample: %w", err)
	}
	out := e.stdout
	fmt.Fprintf(out, "hubsync demo\n\n")
	fmt.Fprintf(out, "1. Started a local HubSpot emulator at %s: records 1..%d exist, at most 190 requests in any 10 s.\n", url, n)
	fmt.Fprintf(out, "2. Wrote %s: %d communications rows, %d of them bad on purpose\n", input, n, bad.total())
	fmt.Fprintf(out, "   (%d unknown ids, %d invalid option, %d without an id, %d malformed).\n\n", bad.notFound, bad.badOption, bad.missingID, bad.malformed)

	args := []string{"sync", "--base-url", url, "--object", "communications", "--rate", "190/10s", "--log-format", "console", input}
	runEnv := e
	runEnv.getenv = func(k string) string {
		if k == "HUBSPOT_ACCESS_TOKEN" {
			return token
		}
		return ""
	}

	// First run: interrupted, as by Ctrl-C, a third of the way in.
	fmt.Fprintf(out, "3. Running: hubsync %s\n   and pressing Ctrl-C a third of the way in.\n\n", shellJoin(args))
	runEnv.interrupt = interrupt
	code := runSync(ctx, args[1:], runEnv)
	if code != exitResumable {
		return fmt.Errorf("the interrupted run ended with status %d, want %d", code, exitResumable)
	}
	checkpointPath := input + ".checkpoint.json"
	fmt.Fprintf(out, "\n4. Interrupted (exit status %d). The checkpoint says:\n\n", code)
	if code := runStatus(ctx, []string{checkpointPath}, runEnv); code != exitOK {
		return fmt.Errorf("status ended with %d", code)
	}

	// Second run: the same command resumes.
	fmt.Fprintf(out, "\n5. Running the same command again: it resumes from the checkpoint.\n\n")
	runEnv.interrupt = nil
	code = runSync(ctx, args[1:], runEnv)
	if code != exitDeadLetters {
		return fmt.Errorf("the resumed run ended with status %d, want %d", code, exitDeadLetters)
	}

	st := srv.Stats()
	deadPath := filepath.Join(dir, "communications.dead-letter.csv")
	fmt.Fprintf(out, "\n6. Done (exit status %d: finished, some records in the dead-letter file).\n\n", code)
	fmt.Fprintf(out, "   emulator: %d batch requests, %d records applied, %d records written, at most %d requests in any 10 s\n",
		st.BatchRequests, st.RecordsApplied, len(srv.Records("communications")), st.MaxInWindow)
	fmt.Fprintf(out, "   input:        %s\n   dead letters: %s\n   checkpoint:   %s\n\n", input, deadPath, checkpointPath)
	if code := runStatus(ctx, []string{checkpointPath}, runEnv); code != exitOK {
		return fmt.Errorf("status ended with %d", code)
	}
	fmt.Fprintf(out, "\nThe dead-letter file (fix the rows, then run hubsync sync on it):\n\n")
	return printHead(out, deadPath, 8)
}

// printHead copies the first n lines of path to w.
func printHead(w io.Writer, path string, n int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 0; i < n && sc.Scan(); i++ {
		fmt.Fprintf(w, "   %s\n", sc.Text())
	}
	return sc.Err()
}
