package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint/syncstate"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// dispatch reads the input, cuts it into batches (batcher) and hands each
// over (handOver). It reports whether Drain or a halt stopped it.
func (p *Pipeline) dispatch(ctx context.Context, work chan<- *batch, done chan<- settled) (interrupted bool, err error) {
	bt, err := newBatcher(p.cfg.BatchSize, p.cfg.Start, p.guard.key)
	if err != nil {
		return false, err
	}
	for n := 0; ; n++ {
		// A stop is looked for every 32 records: a select on each
		// cost 1-2% of the CPU of a sync.
		if n%32 == 0 && p.draining() {
			p.log.Info("stopped reading", zap.Int("unsent_records", bt.pending()))
			return true, nil
		}
		rec, err := p.reader.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, ErrInterrupted) && p.draining() {
			// The input itself stopped a read caught inside a long line
			// (see Config.Drain): stop as between records, letting the
			// batches in flight finish.
			p.log.Info("stopped reading inside a record", zap.Int("unsent_records", bt.pending()))
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("read input: %w", err)
		}
		rec, e, what := p.admit(rec)
		var b *batch
		switch what {
		case admitSkip:
			continue
		case admitUnchanged:
			b = bt.addUnchanged(rec)
		default:
			b = bt.add(rec, e)
		}
		if b != nil {
			if err := p.handOver(ctx, b, work, done); err != nil {
				return p.stopped(err)
			}
		}
	}
	if b := bt.flush(); b != nil {
		if err := p.handOver(ctx, b, work, done); err != nil {
			return p.stopped(err)
		}
	}
	return false, nil
}

// admission is what admit decides for a record read.
type admission int

const (
	admitSend      admission = iota // batch it: to send, or to dead-letter with its batch when rec.Err is set
	admitSkip                       // an earlier run settled it (Config.Skip)
	admitUnchanged                  // HubSpot holds its values already (Config.State): settle it unsent
)

// admit counts a record read and decides what becomes of it. A record an
// earlier run settled (Config.Skip) is skipped; the rest are rewritten
// with Config.Transform, and one that would update nothing fails: such
// an update would cost a request slot and change nothing, so it is said
// so instead of called applied. With Config.State, a record whose values
// HubSpot last confirmed is unchanged; one to send gets its entry, which
// the committer confirms once HubSpot has applied it.
func (p *Pipeline) admit(rec source.Record) (source.Record, syncstate.Entry, admission) {
	p.stats.Read.Add(1)
	p.stats.Offset.Store(rec.End)
	if p.cfg.Skip != nil && p.cfg.Skip(rec) {
		p.stats.Skipped.Add(1)
		return rec, syncstate.Entry{}, admitSkip
	}
	if p.cfg.Transform != nil && rec.Err == nil {
		rec = p.cfg.Transform(rec)
	}
	if rec.Err == nil && len(rec.Props) == 0 {
		rec.Err = &source.RecordError{Code: CodeNoProperties,
			Message: fmt.Sprintf("line %d sets no property (every value is empty or dropped); nothing to update", rec.Line)}
	}
	if p.cfg.State == nil {
		return rec, syncstate.Entry{}, admitSend
	}
	if rec.Err != nil {
		if rec.ID != "" {
			// Not sent, yet in the file: the state must not count it as
			// gone.
			p.cfg.State.Seen(syncstate.KeyOf(sink.CanonicalID(rec.ID)))
		}
		return rec, syncstate.Entry{}, admitSend
	}
	e := syncstate.NewEntry(sink.CanonicalID(rec.ID), rec.ID, rec.Props)
	if !p.cfg.State.Changed(e) {
		return rec, e, admitUnchanged
	}
	return rec, e, admitSend
}

// handOver queues b behind the earlier batches that hold one of its records
// (keyGuard) and gives it to a carrier; a batch of nothing but failed and
// unchanged records goes straight to the committer. It blocks until one takes b, and
// returns errStopping when a stop was asked for meanwhile, or ctx's error.
func (p *Pipeline) handOver(ctx context.Context, b *batch, work chan<- *batch, done chan<- settled) error {
	if len(b.items) == 0 {
		p.guard.hold(b)
		select {
		case done <- settled{b: b}:
			return nil
		case <-ctx.Done():
			p.guard.release(b)
			return ctx.Err()
		}
	}
	p.guard.enqueue(b)
	select {
	case work <- b:
		return nil
	case <-ctx.Done():
		p.guard.release(b)
		return ctx.Err()
	case <-p.cfg.Drain:
		p.guard.release(b)
		return errStopping
	case <-p.halted:
		p.guard.release(b)
		return errStopping
	}
}

// errStopping is how handOver says that a stop was asked for while it
// waited for a carrier.
var errStopping = errors.New("stopping")

// stopped is dispatch's return for err from handOver: a stop asked for is
// an interruption, anything else an error.
func (p *Pipeline) stopped(err error) (interrupted bool, _ error) {
	if errors.Is(err, errStopping) {
		p.log.Info("stopped reading")
		return true, nil
	}
	return false, err
}

func (p *Pipeline) draining() bool {
	select {
	case <-p.cfg.Drain:
		return true
	case <-p.halted:
		return true
	default:
		return false
	}
}
