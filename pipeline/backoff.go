package pipeline

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/hubsync/hubsync/sink"
)

// Backoff is the wait before retrying a request that failed transiently:
// exponential from Base, doubling with each attempt up to Max, with full
// jitter in its upper half so that requests that failed together do not
// all come back together; and never shorter than what the server asked
// for (sink.MinWait: a Retry-After, the wait after a 423), within Max.
// The zero Base starts at Max.
type Backoff struct {
	Base, Max time.Duration
}

// Wait is the wait after attempt number attempt (from 1) failed with err.
func (b Backoff) Wait(attempt int, err error) time.Duration {
	d := b.Base << min(attempt-1, 20)
	if d <= 0 || d > b.Max {
		d = b.Max
	}
	return max(d/2+rand.N(d/2+1), b.Floor(err))
}

// Floor is the least wait after a failure with err: what the server asked
// for, within Max; 0 when it asked for nothing.
func (b Backoff) Floor(err error) time.Duration {
	return min(sink.MinWait(err), b.Max)
}

// Retry calls try until try says to stop, and sleeps before each new call
// for the wait that try returned; the sleep ends early when ctx is done.
// It returns the error of try's last call, or ctx's error when ctx ended a
// sleep. try decides everything else: which outcomes to try again, how
// long to wait (a Backoff, a pause after a 429), how many attempts to
// allow and which of them count; its error is only looked at when it says
// to stop. Retry is the one place where a request waits to be retried,
// for the batches and for the preflight alike.
func Retry(ctx context.Context, try func() (wait time.Duration, again bool, err error)) error {
	for {
		wait, again, err := try()
		if !again {
			return err
		}
		if wait > 0 {
			if err := sleep(ctx, wait, nil); err != nil {
				return err
			}
		}
	}
}
