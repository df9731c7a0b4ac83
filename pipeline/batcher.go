package pipeline

import (
	"slices"

	"github.com/hubsync/hubsync/checkpoint/syncstate"
	"github.com/hubsync/hubsync/chunker"
	"github.com/hubsync/hubsync/source"
)

// batcher cuts the records read into batches, each a contiguous run of the
// input from where the one before it ended. Records that failed before
// sending ride along in the batch read around them, and so do unchanged
// records (Config.State), which settle with it unsent. Like the chunker it
// wraps, it is a plain object with no goroutines: the loop that feeds it
// is dispatch.
type batcher struct {
	ch   *chunker.Chunker[item, uint64]
	size int
	// key is how the key guard holds a record id: a hash of its canonical
	// form (sink.CanonicalID). Ids with one canonical form ("0123" and
	// "123") are one record and never share a batch; two canonical ids
	// with one hash, vanishingly rare, only seal a batch early.
	key    func(id string) uint64
	seq    uint64          // of the last batch sealed
	failed []source.Record // read since the last batch was sealed
	// unchanged counts the unchanged records read since the last batch
	// was sealed: they need no place in it, only its span, and the guard
	// holds their keys (see addUnchanged).
	unchanged     int
	unchangedKeys []uint64
	start         int64           // offset where the open batch begins
	end           source.Position // where the input continues after the last record read
}

// newBatcher returns a batcher of batches of at most size records to send
// (as many failed ones again may ride along), whose first batch begins at
// from.
func newBatcher(size int, from source.Position, key func(id string) uint64) (*batcher, error) {
	ch, err := chunker.New[item, uint64](size)
	if err != nil {
		return nil, err
	}
	return &batcher{ch: ch, size: size, key: key, start: from.Offset, end: from}, nil
}

// add puts rec into the open batch and returns the batch it sealed, if
// any: the one rec filled, or the one before rec when rec's record is
// already in it. A record that failed before sending (rec.Err set) rides
// along; once as many are waiting as a batch sends, it seals the batch
// early, to bound what waits for the next one.
func (bt *batcher) add(rec source.Record, e syncstate.Entry) *batch {
	if rec.Err != nil {
		return bt.addFailed(rec)
	}
	it := item{rec: rec, key: bt.key(rec.ID), entry: e}
	var b *batch
	if full := bt.ch.Add(it, it.key); full != nil {
		if bt.ch.Len() == 0 {
			bt.end = position(rec) // rec filled the batch and is its last record
		}
		b = bt.seal(full)
	}
	bt.end = position(rec)
	return b
}

func (bt *batcher) addFailed(rec source.Record) *batch {
	bt.failed = append(bt.failed, rec)
	bt.end = position(rec)
	if len(bt.failed) < bt.size {
		return nil
	}
	return bt.seal(bt.ch.Flush())
}

// maxUnchanged is how many unchanged records in a row seal the open
// batch, so that the checkpoint moves on through a long unchanged stretch
// of a nightly file. It is large so that a batch is seldom cut short: at
// 0.1% of the records changed, a batch fills in about 100,000 records.
// It also bounds the keys a batch holds for its unchanged records (8
// bytes each: at most 800 kB a batch in progress, 4 per worker). A cap of
// 10,000 would cost requests: for 100,000 rows, 11 instead of 10 at 1%
// changed, 10 instead of 1 at 0.1%.
const maxUnchanged = 100_000

// addUnchanged puts an unchanged record in the open batch's span: it
// settles with the batch, unsent. The batch holds its key all the same
// (batch.unchangedKeys), so that a later row of the record to send waits
// for the batch: settled first, that row would be confirmed while the
// checkpoint still has this one to read again, and a resume would send
// this row's older values over it. It returns the batch it sealed, if
// any (see maxUnchanged).
func (bt *batcher) addUnchanged(rec source.Record) *batch {
	bt.unchanged++
	bt.unchangedKeys = append(bt.unchangedKeys, bt.key(rec.ID))
	bt.end = position(rec)
	if bt.unchanged < maxUnchanged {
		return nil
	}
	return bt.seal(bt.ch.Flush())
}

// flush seals and returns the open batch, or nil when nothing is in it.
func (bt *batcher) flush() *batch {
	items := bt.ch.Flush()
	if items == nil && len(bt.failed) == 0 && bt.unchanged == 0 {
		return nil
	}
	return bt.seal(items)
}

// pending reports how many records wait in the open batch.
func (bt *batcher) pending() int { return bt.ch.Len() + len(bt.failed) }

func (bt *batcher) seal(items []item) *batch {
	bt.seq++
	b := &batch{seq: bt.seq, items: items, failed: bt.failed, unchanged: int64(bt.unchanged), start: bt.start, end: bt.end}
	if len(items) > 0 || len(bt.failed) > 0 {
		// A batch of unchanged records alone settles at once, in file
		// order: it holds no key (see keyGuard.hold).
		slices.Sort(bt.unchangedKeys)
		b.unchangedKeys = slices.Compact(bt.unchangedKeys)
	}
	bt.failed, bt.unchanged, bt.unchangedKeys = nil, 0, nil
	bt.start = bt.end.Offset
	if len(items) > 0 {
		b.keys = make([]uint64, len(items))
		for i := range items {
			b.keys[i] = items[i].key
		}
	}
	return b
}

// position is where the input continues after r.
func position(r source.Record) source.Position {
	return source.Position{Offset: r.End, Line: r.EndLine}
}
