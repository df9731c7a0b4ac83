// Package pipeline runs a sync: it reads records, groups them into batches,
// sends the batches through a rate-limited pool of workers, and settles every
// record as applied or dead-lettered, or, with a sync state (Config.State),
// as unchanged without sending it.
//
// Run owns every goroutine it starts and returns only after all have exited:
// one dispatcher (reads, chunks), a fixed set of carriers (errgroup; each
// takes one batch at a time, sends it with retries and splits a rejected
// batch to isolate its bad rows), and one committer, the single writer of
// the dead-letter file. Channels are closed by their senders.
//
// Three things gate a request, each for its own reason:
//
//   - The key guard keeps rows for one record in file order. The dispatcher
//     queues every batch behind the earlier batches that hold one of its
//     records, without blocking; a carrier sends a batch once those have
//     settled. Later batches of other records go ahead of it.
//   - Workers is the number of requests in flight: a carrier holds one of
//     Workers places only for the time of one HTTP attempt, from waiting on
//     the limiter to deciding what the answer means. A batch waiting out a
//     backoff holds none, so one failing batch never idles a worker; there
//     are four carriers per worker so that the places stay busy while
//     batches wait for a retry or for an earlier batch with their records,
//     and that many batches bound what the run holds in memory.
//   - The Limiter alone decides the rate: the rolling window, and the pace
//     lowered after a 429.
//
// Whatever slows the whole run down is global: a 429 pauses the limiter for
// every carrier, and failures in a row across all carriers (HubSpot down)
// stop the run. A lone failure while others succeed is retried at once; a
// batch that fails again backs off by itself.
//
// Batches settle in any order. The committer hands each to Progress, which
// saves only the contiguous prefix of settled batches (plus the spans
// beyond it), so a crash never skips a batch still in flight.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/hubsync/hubsync/checkpoint/syncstate"
	"github.com/hubsync/hubsync/chunker"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// Reader yields records in file order; io.EOF ends the input.
type Reader interface {
	Next() (source.Record, error)
}

// Sender sends one batch/update request.
type Sender interface {
	UpdateBatch(ctx context.Context, inputs []sink.Input) (*sink.BatchResult, error)
}

// DeadLetters stores failed records durably.
type DeadLetters interface {
	Write(rec *source.Record, code, message string) error
	Sync() error
}

// SyncState is the sync state of an --only-changed run (a
// *syncstate.Store): what HubSpot last confirmed of each record.
type SyncState interface {
	// Changed reports whether a record must be sent. The dispatcher
	// calls it once per record to send, in file order.
	Changed(e syncstate.Entry) bool
	// Seen notes that a record not sent (it failed before sending) is in
	// the input, so that it does not count as no longer in the file.
	Seen(key uint64)
	// Intend records, durably before it returns, that the records of es
	// are about to be sent: until each is confirmed the state holds no
	// values for it, so that a request whose answer never comes (a
	// crash, an unknown outcome, a job restarted rather than resumed)
	// leaves the record to send again, even should a later file revert
	// its values. A carrier calls it before a batch's first request
	// (not before retries), with the records it sends; carriers call it
	// concurrently.
	Intend(es []syncstate.Entry) error
	// Confirm records that HubSpot applied e. The committer calls it in
	// settle order, for applied records alone.
	Confirm(e syncstate.Entry) error
	// Sync makes the confirmations durable. The committer calls it
	// before every Progress.Save, so that the state is never behind the
	// checkpoint: a record the checkpoint claims is in the state.
	Sync() error
}

// Progress persists how far the run has got. The committer calls both
// methods, never concurrently.
type Progress interface {
	// Settle records that batch seq (numbered from 1 in file order),
	// covering the input from start to end, is settled.
	Settle(seq uint64, start int64, end source.Position)
	// Save makes the progress durable. It is called only after every dead
	// letter of the batches settled so far has been fsynced; final is true
	// on the last call of a run that reached the end of the input.
	Save(final bool) error
}

// Config shapes a run. Zero values take the defaults noted.
type Config struct {
	BatchSize   int // inputs per request, 1..100 (default 100)
	Workers     int // requests in flight (default 4)
	MaxAttempts int // attempts of one request on transient errors before it is split (default 8)
	// MaxFailures and MaxSilence decide that HubSpot is down: that many
	// failed attempts in a row across all workers (default 10), or no
	// success for that long (default 1m), stop the run resumably.
	MaxFailures int
	MaxSilence  time.Duration
	// MaxRateLimited stops the run resumably when HubSpot answered 429
	// and no request succeeded for that long, or would not before the
	// wait the 429 asks for is over (default 5m). It is longer than
	// MaxSilence because a 429 is HubSpot working as designed: another
	// app may fill the account's window for a while, and the window is
	// at most ten seconds, so five minutes are thirty windows in which
	// not one request got through, and still at least five tries when
	// every 429 asks for the longest wait hubsync honours (a minute).
	// Past that the budget is taken or the server is broken; either way
	// a rerun later does better than a run that never ends.
	MaxRateLimited time.Duration
	// RejectStreak stops the run after that many batches in a row were
	// rejected record by record (default 2; negative: never).
	RejectStreak int
	// DailyReserve and DailyReservePercent (of the daily allowance) stop
	// the run resumably once HubSpot reports that few daily requests left.
	DailyReserve        int
	DailyReservePercent float64
	// DeadLetterLimit stops the run resumably, with a *StopError wrapping
	// ErrTooManyDeadLetters, once the job has more dead letters than it
	// allows (nil: never).
	DeadLetterLimit *DeadLetterLimit
	BackoffBase     time.Duration // first retry wait (default 500ms); doubles per attempt, with jitter
	BackoffMax      time.Duration // longest retry wait (default 30s)
	// SyncEvery is how often, when anything settled, dead letters are
	// fsynced and progress saved (default 20ms). It bounds what a crash
	// makes the next run send again: the batches in flight plus those
	// settled in the last SyncEvery. At HubSpot's rates (a batch every
	// 40 ms or more) that is the batches in flight.
	SyncEvery time.Duration
	// Start is where the reader starts (zero: the beginning); the first
	// batch covers the input from there.
	Start source.Position
	// Skip, if set, reports records that an earlier run already settled;
	// they are counted in Stats.Skipped and not sent again.
	// It gets the record by value (as Transform does) so that the record
	// read need not move to the heap.
	Skip func(rec source.Record) bool
	// Transform, if set, rewrites each record before it is batched (mapping
	// and coercion); it sets rec.Err for a record that must not be sent.
	// It is called from one goroutine, in file order, and returns the
	// record rewritten.
	Transform func(rec source.Record) source.Record
	// Progress, if set, is told of every settled batch and saved every
	// SyncEvery and at the end.
	Progress Progress
	// State, if set, makes the run send only the records whose values
	// differ from those HubSpot last confirmed: the others are counted
	// in Stats.Unchanged and settled unsent. The committer confirms the
	// records HubSpot applied, and syncs State before saving Progress.
	State SyncState
	// Drain, when closed, stops reading; batches already sent are finished
	// and Run returns ErrInterrupted. A Reader caught inside a very long
	// record may end it by returning an error wrapping ErrInterrupted once
	// Drain is closed: that stops the run the same way.
	Drain <-chan struct{}
}

func (c *Config) setDefaults() error {
	if c.BatchSize == 0 {
		c.BatchSize = chunker.MaxSize
	}
	if c.BatchSize < 1 || c.BatchSize > chunker.MaxSize {
		return fmt.Errorf("batch size %d: must be between 1 and %d", c.BatchSize, chunker.MaxSize)
	}
	if c.Workers == 0 {
		c.Workers = 4
	}
	if c.Workers < 1 || c.Workers > 64 {
		return fmt.Errorf("workers %d: must be between 1 and 64", c.Workers)
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 8
	}
	if c.MaxFailures == 0 {
		c.MaxFailures = 10
	}
	if c.MaxSilence == 0 {
		c.MaxSilence = time.Minute
	}
	if c.MaxRateLimited == 0 {
		c.MaxRateLimited = 5 * time.Minute
	}
	if c.RejectStreak == 0 {
		c.RejectStreak = 2
	}
	if c.BackoffBase == 0 {
		c.BackoffBase = 500 * time.Millisecond
	}
	if c.BackoffMax == 0 {
		c.BackoffMax = 30 * time.Second
	}
	if c.SyncEvery == 0 {
		c.SyncEvery = 20 * time.Millisecond
	}
	return nil
}

// ErrInterrupted is returned by Run when Config.Drain stopped it before the
// end of the input. The run can be resumed.
var ErrInterrupted = errors.New("interrupted")

// StopError ends a run that can be resumed later: the API kept failing, or
// the daily quota ran out. Records not yet settled are neither applied nor
// dead-lettered.
type StopError struct {
	Reason string
	Err    error
}

func (e *StopError) Error() string { return e.Reason + ": " + e.Err.Error() }
func (e *StopError) Unwrap() error { return e.Err }

// Pipeline is one sync run. Create it with New and call Run once.
type Pipeline struct {
	cfg     Config
	reader  Reader
	sender  Sender
	dead    DeadLetters
	limiter *Limiter
	log     *zap.Logger
	stats   Stats
	guard   *keyGuard
	// inFlight holds a token for each request on the wire (or waiting for
	// the limiter): at most Workers.
	inFlight chan struct{}

	pace   pacer
	health health
	streak rejectStreak

	haltOnce sync.Once
	halted   chan struct{} // closed by halt: stop reading, finish what is in flight
	haltErr  error         // why; read after every goroutine has exited
}

// halt stops the run cleanly, as Drain does, and makes Run return err.
func (p *Pipeline) halt(err error) {
	p.haltOnce.Do(func() {
		p.haltErr = err
		close(p.halted)
	})
}

// New returns a Pipeline. It does not start anything.
func New(cfg Config, r Reader, s Sender, dead DeadLetters, lim *Limiter, log *zap.Logger) (*Pipeline, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	p := &Pipeline{cfg: cfg, reader: r, sender: s, dead: dead, limiter: lim, log: log, guard: newKeyGuard(),
		inFlight: make(chan struct{}, cfg.Workers), halted: make(chan struct{})}
	p.pace.lim = lim
	p.stats.lim = lim
	p.health = health{maxFailures: cfg.MaxFailures, maxSilence: cfg.MaxSilence, maxLimited: cfg.MaxRateLimited}
	p.streak.limit = cfg.RejectStreak
	return p, nil
}

// Stats returns the live counters of the run; safe to read while Run runs.
func (p *Pipeline) Stats() *Stats { return &p.stats }

// item is a record on its way through the pipeline.
type item struct {
	rec   source.Record
	key   uint64          // keyGuard.key of rec.ID
	entry syncstate.Entry // what Config.State confirms once HubSpot has applied it
}

// batch is a contiguous run of the input: the records sent in one request
// and the records among them that failed before sending.
type batch struct {
	seq   uint64
	items []item   // sent to HubSpot
	keys  []uint64 // items' keys (keyGuard.key), held until settled
	// unchangedKeys, sorted, are the keys of the unchanged records in
	// its span (Config.State): a later batch that sends one waits for it.
	unchangedKeys []uint64
	failed        []source.Record // failed to parse; go straight to the dead-letter file
	// unchanged counts the unchanged records in the batch's span
	// (Config.State): settled with it, they are counted when it is.
	unchanged int64
	start     int64           // offset where the batch begins: where the one before it ended
	end       source.Position // where the input continues after the batch

	// Set by the keyGuard, under its lock.
	ready   chan struct{} // closed when no earlier batch with one of keys is left
	blocked int           // earlier batches with one of keys still unsettled
	next    []*batch      // later batches that wait for this one

	started bool // a request for it was sent; set by its carrier
}

// failure says why one record of a batch goes to the dead-letter file.
type failure struct {
	code, message string
	rejected      bool // by a whole-request rejection, isolated by splitting
}

// settled is a batch whose every record is decided: fails[i] is the
// failure of items[i], or the zero failure when it was applied (fails is
// nil when there were no items).
type settled struct {
	b     *batch
	fails []failure
}

// Run syncs the whole input. It blocks until every record read is settled
// or the run stops, and returns nil, ErrInterrupted, a *StopError, or the
// error that stopped the run (fatal API errors, I/O errors). Every goroutine
// it starts has exited when it returns.
func (p *Pipeline) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	p.health.start()
	g, gctx := errgroup.WithContext(ctx)
	work := make(chan *batch)
	carriers := batchesPerWorker * p.cfg.Workers
	done := make(chan settled, carriers)

	var senders sync.WaitGroup
	senders.Add(1 + carriers)
	interrupted := false
	g.Go(func() error {
		defer senders.Done()
		defer close(work)
		var err error
		interrupted, err = p.dispatch(gctx, work, done)
		return err
	})
	for range carriers {
		g.Go(func() error {
			defer senders.Done()
			return p.work(gctx, work, done)
		})
	}
	g.Go(func() error {
		senders.Wait()
		close(done)
		return nil
	})
	// The committer drains done to the end whatever happens, so that every
	// outcome that reached it is written before Run returns.
	commitErr := p.commit(done, cancel)
	err := g.Wait()
	if commitErr != nil {
		err = commitErr // the root cause: the others stopped because of it
	} else if err == nil && p.haltErr != nil {
		err = p.haltErr
	}
	// A run that found the URL wrong got nothing through: its progress is
	// what it started from, and a checkpoint written now would bind a new
	// job to the wrong URL.
	if p.cfg.Progress != nil && commitErr == nil && !errors.Is(err, ErrBadEndpoint) {
		// Every goroutine has exited: the committer's state is ours now.
		if serr := p.save(err == nil && !interrupted); serr != nil && err == nil {
			err = serr
		}
	}
	switch {
	case err != nil:
		return err
	case interrupted:
		return ErrInterrupted
	}
	return nil
}
