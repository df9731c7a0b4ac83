package pipeline

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/checkpoint/syncstate"
	"github.com/hubsync/hubsync/source"
)

// sealedBatch is what a test checks of a batch the batcher sealed.
type sealedBatch struct {
	Seq    uint64
	IDs    []string // of the records to send
	Failed []int64  // lines of the records riding along
	Start  int64
	End    source.Position
}

func describe(b *batch) sealedBatch {
	d := sealedBatch{Seq: b.seq, Start: b.start, End: b.end}
	for _, it := range b.items {
		d.IDs = append(d.IDs, it.rec.ID)
	}
	for _, r := range b.failed {
		d.Failed = append(d.Failed, r.Line)
	}
	return d
}

// TestBatcher feeds records (records: each 10 bytes, one a line; "!" is a
// record that failed) and then flushes.
func TestBatcher(t *testing.T) {
	end := func(n int64) source.Position { return source.Position{Offset: 10 * n, Line: n + 1} }
	tests := []struct {
		name string
		size int
		ids  []string
		want []sealedBatch
	}{
		{name: "full batches, then the rest", size: 2, ids: []string{"1", "2", "3"},
			want: []sealedBatch{
				{Seq: 1, IDs: []string{"1", "2"}, Start: 0, End: end(2)},
				{Seq: 2, IDs: []string{"3"}, Start: 20, End: end(3)}}},
		{name: "batches of one", size: 1, ids: []string{"1", "2"},
			want: []sealedBatch{
				{Seq: 1, IDs: []string{"1"}, Start: 0, End: end(1)},
				{Seq: 2, IDs: []string{"2"}, Start: 10, End: end(2)}}},
		{name: "a repeated id seals the batch before it", size: 3, ids: []string{"1", "2", "1"},
			want: []sealedBatch{
				{Seq: 1, IDs: []string{"1", "2"}, Start: 0, End: end(2)},
				{Seq: 2, IDs: []string{"1"}, Start: 20, End: end(3)}}},
		{name: "ids equal but for leading zeros are one record", size: 3, ids: []string{"0123", "123"},
			want: []sealedBatch{
				{Seq: 1, IDs: []string{"0123"}, Start: 0, End: end(1)},
				{Seq: 2, IDs: []string{"123"}, Start: 10, End: end(2)}}},
		{name: "ids equal but for case and spaces are one record", size: 3, ids: []string{"EXT-1", " ext-1 "},
			want: []sealedBatch{
				{Seq: 1, IDs: []string{"EXT-1"}, Start: 0, End: end(1)},
				{Seq: 2, IDs: []string{" ext-1 "}, Start: 10, End: end(2)}}},
		{name: "a failed record rides along", size: 3, ids: []string{"1", "!", "2"},
			want: []sealedBatch{
				{Seq: 1, IDs: []string{"1", "2"}, Failed: []int64{2}, Start: 0, End: end(3)}}},
		{name: "a failed record before a repeated id stays in the batch before", size: 3, ids: []string{"1", "!", "1"},
			want: []sealedBatch{
				{Seq: 1, IDs: []string{"1"}, Failed: []int64{2}, Start: 0, End: end(2)},
				{Seq: 2, IDs: []string{"1"}, Start: 20, End: end(3)}}},
		{name: "failed records seal a batch early", size: 2, ids: []string{"1", "!", "!", "2"},
			want: []sealedBatch{
				{Seq: 1, IDs: []string{"1"}, Failed: []int64{2, 3}, Start: 0, End: end(3)},
				{Seq: 2, IDs: []string{"2"}, Start: 30, End: end(4)}}},
		{name: "a batch of failed records alone", size: 2, ids: []string{"!", "!"},
			want: []sealedBatch{{Seq: 1, Failed: []int64{1, 2}, Start: 0, End: end(2)}}},
		{name: "nothing read", size: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bt, err := newBatcher(tt.size, source.Position{Line: 1}, newKeyGuard().key)
			if err != nil {
				t.Fatal(err)
			}
			var got []sealedBatch
			for _, rec := range records(tt.ids...) {
				if b := bt.add(rec, syncstate.Entry{}); b != nil {
					got = append(got, describe(b))
				}
			}
			if b := bt.flush(); b != nil {
				got = append(got, describe(b))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
			if n := bt.pending(); n != 0 {
				t.Errorf("%d records pending after flush", n)
			}
		})
	}
}

// TestBatcherKeys: a batch holds its items' keys for the key guard, and a
// batch of failed records alone holds none.
func TestBatcherKeys(t *testing.T) {
	g := newKeyGuard()
	bt, err := newBatcher(2, source.Position{}, g.key)
	if err != nil {
		t.Fatal(err)
	}
	bt.add(records("1")[0], syncstate.Entry{})
	b := bt.add(records("007", "7")[0], syncstate.Entry{})
	if diff := cmp.Diff([]uint64{g.key("1"), g.key("7")}, b.keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	bt.add(records("!")[0], syncstate.Entry{})
	if b := bt.flush(); b.keys != nil {
		t.Errorf("batch of failed records holds keys %v", b.keys)
	}
}

func TestNewBatcherRefusesBadSize(t *testing.T) {
	for _, size := range []int{0, -1, 101} {
		if _, err := newBatcher(size, source.Position{}, newKeyGuard().key); err == nil {
			t.Errorf("newBatcher(%d) = nil error", size)
		}
	}
}

// TestBatcherStartsAtFrom: the first batch of a resumed run begins where
// the run before it stopped.
func TestBatcherStartsAtFrom(t *testing.T) {
	bt, err := newBatcher(2, source.Position{Offset: 500, Line: 40}, newKeyGuard().key)
	if err != nil {
		t.Fatal(err)
	}
	rec := source.Record{Line: 40, Offset: 500, End: 510, EndLine: 41, ID: "1"}
	bt.add(rec, syncstate.Entry{})
	got := describe(bt.flush())
	want := sealedBatch{Seq: 1, IDs: []string{"1"}, Start: 500, End: source.Position{Offset: 510, Line: 41}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
}
