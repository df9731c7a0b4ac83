package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/chunker"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// dispatch reads the input, groups records into batches, queues each batch
// behind the earlier ones that hold one of its records (keyGuard) and hands
// it to a carrier.
// Records that failed to parse ride along in the batch read around them, so
// that every batch is a contiguous run of the file; a batch of nothing but
// such records goes straight to the committer. It reports whether Drain
// stopped it.
func (p *Pipeline) dispatch(ctx context.Context, work chan<- *batch, done chan<- settled) (interrupted bool, err error) {
	// Records are told apart by the hash the key guard holds them by:
	// two keys with one hash, which is vanishingly rare, only seal a
	// batch early.
	ch, err := chunker.New[item, uint64](p.cfg.BatchSize)
	if err != nil {
		return false, err
	}
	var (
		seq     uint64
		failed  []source.Record // read since the last batch was sealed
		lastEnd = p.cfg.Start   // where the last record read ends
		start   = p.cfg.Start.Offset
	)
	seal := func(items []item) error {
		seq++
		b := &batch{seq: seq, items: items, failed: failed, start: start, end: lastEnd}
		failed = nil
		start = lastEnd.Offset
		if len(items) == 0 {
			select {
			case done <- settled{b: b, fails: nil}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		b.keys = make([]uint64, len(items))
		for i := range items {
			b.keys[i] = items[i].key
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
	stopped := func(err error) (bool, error) {
		if errors.Is(err, errStopping) {
			p.log.Info("stopped reading")
			return true, nil
		}
		return false, err
	}
	for n := 0; ; n++ {
		// A stop is looked for every 32 records: a select on each
		// cost 1-2% of the CPU of a sync.
		if n%32 == 0 && p.draining() {
			p.log.Info("stopped reading", zap.Int("unsent_records", ch.Len()+len(failed)))
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
			p.log.Info("stopped reading inside a record", zap.Int("unsent_records", ch.Len()+len(failed)))
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("read input: %w", err)
		}
		p.stats.Read.Add(1)
		p.stats.Offset.Store(rec.End)
		if p.cfg.Skip != nil && p.cfg.Skip(rec) {
			p.stats.Skipped.Add(1)
			continue
		}
		if p.cfg.Transform != nil && rec.Err == nil {
			rec = p.cfg.Transform(rec)
		}
		if rec.Err == nil && len(rec.Props) == 0 {
			// An update of nothing would cost a request slot and
			// change nothing: say so instead of calling it applied.
			rec.Err = &source.RecordError{Code: CodeNoProperties,
				Message: fmt.Sprintf("line %d sets no property (every value is empty or dropped); nothing to update", rec.Line)}
		}
		if rec.Err != nil {
			failed = append(failed, rec)
			lastEnd = position(rec)
			if len(failed) >= p.cfg.BatchSize {
				// Bound what waits for the next batch: seal early.
				if err := seal(ch.Flush()); err != nil {
					return stopped(err)
				}
			}
			continue
		}
		it := item{rec: rec, key: p.guard.hash(sink.CanonicalID(rec.ID))}
		full := ch.Add(it, it.key)
		if full != nil && ch.Len() == 0 {
			lastEnd = position(rec) // rec filled the sealed batch; otherwise a repeated id sealed it before rec
		}
		if full != nil {
			if err := seal(full); err != nil {
				return stopped(err)
			}
		}
		lastEnd = position(rec)
	}
	if rest := ch.Flush(); rest != nil || len(failed) > 0 {
		if err := seal(rest); err != nil {
			return stopped(err)
		}
	}
	return false, nil
}

// errStopping is how seal says that a stop was asked for while it waited
// for a worker.
var errStopping = errors.New("stopping")

// position is where the input continues after r.
func position(r source.Record) source.Position {
	return source.Position{Offset: r.End, Line: r.EndLine}
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
