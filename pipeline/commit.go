package pipeline

import (
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/source"
)

// commit is the single writer of the dead-letter file and of progress. It
// records every settled batch and releases its records' keys so later rows
// for them may be sent. Every SyncEvery, if anything settled since the last
// save, it fsyncs the dead-letter file and then saves progress, in that
// order, so progress never claims a record that is neither applied nor
// durably dead-lettered; with Config.State, it confirms the records
// applied and syncs the state before each save (see save). It reads done
// until it is closed and fsyncs once more; Run saves the final progress.
// After an error it calls stop and keeps draining without writing.
func (p *Pipeline) commit(done <-chan settled, stop func(error)) error {
	tick := time.NewTicker(p.cfg.SyncEvery)
	defer tick.Stop()
	var (
		failed      error
		unsaved     bool // batches settled since the last save
		deadWritten bool // dead letters written since the last fsync
	)
	for {
		select {
		case s, ok := <-done:
			if !ok {
				if failed != nil {
					return failed
				}
				if err := p.dead.Sync(); err != nil {
					return fmt.Errorf("save dead letters: %w", err)
				}
				return nil
			}
			if failed == nil && !s.b.started && len(s.b.failed) > 0 && p.draining() {
				// Nothing of it was sent (its records all failed before
				// sending or are unchanged) and the run is stopping:
				// like a batch not yet sent, it stays for the next run,
				// so that a stop for too many dead letters does not
				// write the batches queued behind the one that reached
				// the limit. A batch of unchanged records alone writes
				// nothing: it settles, as the batches after it that
				// were sent may, which would otherwise overtake it
				// (see keyGuard.hold).
				p.guard.release(s.b)
				continue
			}
			if failed == nil {
				wrote, err := p.record(s)
				deadWritten = deadWritten || wrote
				if err != nil {
					failed = err
					stop(err)
				} else {
					if p.cfg.Progress != nil {
						p.cfg.Progress.Settle(s.b.seq, s.b.start, s.b.end)
						unsaved = true
					}
					// A stop like the daily reserve's: what is in flight
					// settles, the rest stays for the next run.
					if serr := p.checkDeadLetters(); serr != nil {
						p.halt(serr)
					}
				}
			}
			p.guard.release(s.b)
		case <-tick.C:
			if failed != nil || (!unsaved && !deadWritten) {
				continue
			}
			if deadWritten {
				if err := p.dead.Sync(); err != nil {
					failed = fmt.Errorf("save dead letters: %w", err)
					stop(failed)
					continue
				}
				deadWritten = false
			}
			if unsaved {
				if err := p.save(false); err != nil {
					failed = err
					stop(failed)
					continue
				}
				unsaved = false
			}
		}
	}
}

// record counts a settled batch and writes its failures in file order. It
// reports whether it wrote any. Its unchanged records are counted here, not
// when read: a batch left unsettled is read again by the next run.
func (p *Pipeline) record(s settled) (wrote bool, err error) {
	b := s.b
	var applied int64
	j := 0 // next of b.failed to write
	for i := range b.items {
		rec := &b.items[i].rec
		for ; j < len(b.failed) && b.failed[j].Offset < rec.Offset; j++ {
			if err := p.deadLetter(&b.failed[j], b.failed[j].Err.Code, b.failed[j].Err.Message); err != nil {
				return true, err
			}
			wrote = true
		}
		if f := s.fails[i]; f.code != "" {
			if err := p.deadLetter(rec, f.code, f.message); err != nil {
				return true, err
			}
			wrote = true
			continue
		}
		if p.cfg.State != nil {
			if err := p.cfg.State.Confirm(b.items[i].entry); err != nil {
				return wrote, fmt.Errorf("record what HubSpot confirmed: %w", err)
			}
		}
		applied++
	}
	for ; j < len(b.failed); j++ {
		if err := p.deadLetter(&b.failed[j], b.failed[j].Err.Code, b.failed[j].Err.Message); err != nil {
			return true, err
		}
		wrote = true
	}
	p.stats.Applied.Add(applied)
	p.stats.Unchanged.Add(b.unchanged)
	return wrote, nil
}

// save makes the sync state's confirmations durable, then saves progress
// (final as Progress.Save takes it): the state is never behind what the
// checkpoint claims.
func (p *Pipeline) save(final bool) error {
	if p.cfg.State != nil {
		if err := p.cfg.State.Sync(); err != nil {
			return fmt.Errorf("save the sync state: %w", err)
		}
	}
	return p.cfg.Progress.Save(final)
}

func (p *Pipeline) deadLetter(rec *source.Record, code, message string) error {
	if err := p.dead.Write(rec, code, message); err != nil {
		return fmt.Errorf("write dead letter for line %d: %w", rec.Line, err)
	}
	p.stats.dead(code)
	p.log.Debug("record dead-lettered", zap.Int64("line", rec.Line), zap.String("code", code))
	return nil
}
