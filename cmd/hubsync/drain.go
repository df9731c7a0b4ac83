package main

import (
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/pipeline"
)

// announceDrain says, at the first Ctrl-C (or SIGTERM), what the run does
// before it exits and how to make it stop at once: a person who sees
// nothing happen presses Ctrl-C again, which abandons the requests in
// flight. It starts one goroutine; the returned stop ends it and waits for
// it, and is idempotent.
func announceDrain(interrupt <-chan struct{}, stats *pipeline.Stats, drain time.Duration, log *zap.Logger) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-done:
			return
		case <-interrupt:
		}
		log.Warn(drainMessage(stats.Sending.Load(), drain), zap.Int64("in_flight", stats.Sending.Load()), zap.Duration("up_to", drain))
	}()
	stopped := false
	return func() {
		if !stopped {
			stopped = true
			close(done)
			<-exited
		}
	}
}

// drainMessage is what the first Ctrl-C prints: its words are the
// message, as a person reads them at the terminal.
func drainMessage(inFlight int64, drain time.Duration) string {
	if inFlight == 0 {
		return "stopping: no request in flight; saving progress. Ctrl-C again to stop now"
	}
	noun := "requests"
	if inFlight == 1 {
		noun = "request"
	}
	return fmt.Sprintf("finishing %d %s in flight (up to %s); Ctrl-C again to stop now", inFlight, noun, drain)
}
