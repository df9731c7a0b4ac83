package pipeline

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint/syncstate"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// memState is a SyncState in memory: confirmed holds what HubSpot last
// confirmed, by key. Like the real one, a key sent once in a run is sent
// again whatever its values.
type memState struct {
	confirmed map[uint64][16]byte
	sent      map[uint64]bool // dispatcher only
	seen      map[uint64]bool // dispatcher only: records in the input not sent (Seen)

	mu         sync.Mutex
	confirms   []syncstate.Entry // in the order Confirm got them
	synced     int               // of confirms, made durable by Sync
	syncs      int
	confirmErr error // returned by Confirm when set
	// journal holds, in call order, a tombstone (zero fingerprint) for
	// each entry intended and each entry confirmed: what the next run's
	// state is made of (next).
	journal   []syncstate.Entry
	intends   [][]syncstate.Entry // the calls to Intend
	intendErr error               // returned by Intend when set
}

var _ SyncState = (*memState)(nil)

// newMemState holds recs as HubSpot confirmed them.
func newMemState(recs ...source.Record) *memState {
	s := &memState{confirmed: map[uint64][16]byte{}, sent: map[uint64]bool{}, seen: map[uint64]bool{}}
	for _, rec := range recs {
		e := entryOf(rec)
		s.confirmed[e.Key] = e.FP
	}
	return s
}

func entryOf(rec source.Record) syncstate.Entry {
	return syncstate.NewEntry(sink.CanonicalID(rec.ID), rec.ID, rec.Props)
}

func (s *memState) Changed(e syncstate.Entry) bool {
	fp, ok := s.confirmed[e.Key]
	if ok && fp == e.FP && !s.sent[e.Key] {
		return false
	}
	s.sent[e.Key] = true
	return true
}

func (s *memState) Seen(key uint64) { s.seen[key] = true }

func (s *memState) Intend(es []syncstate.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.intendErr != nil {
		return s.intendErr
	}
	s.intends = append(s.intends, slices.Clone(es))
	for _, e := range es {
		s.journal = append(s.journal, syncstate.Entry{Key: e.Key})
	}
	return nil
}

// intended reports whether every entry of es was intended.
func (s *memState) intended(es []syncstate.Entry) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range es {
		found := false
		for _, call := range s.intends {
			found = found || slices.Contains(call, e)
		}
		if !found {
			return false
		}
	}
	return true
}

func (s *memState) Confirm(e syncstate.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.confirmErr != nil {
		return s.confirmErr
	}
	s.confirms = append(s.confirms, e)
	s.journal = append(s.journal, e)
	return nil
}

// next is the state the next run starts from: this one's, with the
// journal folded in (the last entry of a key wins).
func (s *memState) next() *memState {
	n := &memState{confirmed: maps.Clone(s.confirmed), sent: map[uint64]bool{}}
	for _, e := range s.journal {
		n.confirmed[e.Key] = e.FP
	}
	return n
}

func (s *memState) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncs++
	s.synced = len(s.confirms)
	return nil
}

// unsynced counts the confirmations not yet made durable.
func (s *memState) unsynced() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.confirms) - s.synced
}

// stateProgress is a Progress that checks, at every save, that the sync
// state has no confirmation left to make durable.
type stateProgress struct {
	state  *memState
	end    int64 // of the last batch settled in file order
	saves  int
	final  bool
	behind int // saves made while the state had unsynced confirmations
}

func (p *stateProgress) Settle(_ uint64, _ int64, end source.Position) {
	p.end = max(p.end, end.Offset)
}

func (p *stateProgress) Save(final bool) error {
	p.saves++
	p.final = final
	if p.state.unsynced() > 0 {
		p.behind++
	}
	return nil
}

// runOnlyChanged runs recs through a pipeline with state, answering with
// send, and returns what was sent, by id, in request order.
func runOnlyChanged(t *testing.T, cfg Config, recs []source.Record, state *memState, send func(in []sink.Input) *sink.BatchResult) (sent [][]string, prog *stateProgress, p *Pipeline, d *fakeDead) {
	t.Helper()
	var mu sync.Mutex
	s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) {
		var ids []string
		for _, x := range in {
			ids = append(ids, x.ID)
		}
		mu.Lock()
		sent = append(sent, ids)
		mu.Unlock()
		return send(in), nil
	}}
	prog = &stateProgress{state: state}
	cfg.State, cfg.Progress = state, prog
	d = &fakeDead{}
	p = newTestPipeline(t, cfg, recs, s, d)
	if err := p.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sent, prog, p, d
}

// changed returns rec with other values: a row that changed since HubSpot
// confirmed rec.
func changed(rec source.Record) source.Record {
	rec.Props = []source.Prop{{Name: "n", Value: "changed " + rec.ID}}
	return rec
}

func TestOnlyChangedSendsNothingWhenNothingChanged(t *testing.T) {
	recs := records("1", "2", "3", "4", "5")
	state := newMemState(recs...)
	sent, prog, p, _ := runOnlyChanged(t, Config{BatchSize: 2, Workers: 2}, recs, state, applyAll)
	if len(sent) != 0 {
		t.Errorf("sent %v, want nothing", sent)
	}
	st := p.Stats()
	if got, want := []int64{st.Read.Load(), st.Unchanged.Load(), st.Applied.Load(), st.Requests.Load()}, []int64{5, 5, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("read, unchanged, applied, requests = %v, want %v", got, want)
	}
	if prog.end != 50 || !prog.final {
		t.Errorf("progress settled to offset %d (final %v), want 50 (the end, final)", prog.end, prog.final)
	}
	if len(state.confirms) != 0 {
		t.Errorf("confirmed %d entries, want none", len(state.confirms))
	}
}

func TestOnlyChangedSendsAndConfirmsTheChangedOnes(t *testing.T) {
	before := records("1", "2", "3", "4", "5", "6", "7")
	recs := slices.Clone(before)
	recs[1], recs[4] = changed(recs[1]), changed(recs[4])                   // 2 and 5 changed
	recs = append(recs, records("1", "2", "3", "4", "5", "6", "7", "8")[7]) // 8 is new
	recs[7].Line, recs[7].Offset, recs[7].End, recs[7].EndLine = 8, 70, 80, 9
	state := newMemState(before...)
	sent, prog, p, _ := runOnlyChanged(t, Config{BatchSize: 100, Workers: 2}, recs, state, applyAll)
	if diff := cmp.Diff([][]string{{"2", "5", "8"}}, sent); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	want := []syncstate.Entry{entryOf(recs[1]), entryOf(recs[4]), entryOf(recs[7])}
	if diff := cmp.Diff(want, state.confirms); diff != "" {
		t.Errorf("confirmed (-want +got):\n%s", diff)
	}
	if n := p.Stats().Unchanged.Load(); n != 5 {
		t.Errorf("unchanged = %d, want 5", n)
	}
	if prog.end != 80 || prog.behind != 0 {
		t.Errorf("progress settled to %d with %d saves ahead of the state, want 80 and 0", prog.end, prog.behind)
	}
}

// TestOnlyChangedConfirmsOnlyWhatHubSpotApplied: a record dead-lettered,
// or whose outcome stays unknown, keeps its old entry, so that it is sent
// again next run.
func TestOnlyChangedConfirmsOnlyWhatHubSpotApplied(t *testing.T) {
	recs := records("1", "404", "u", "4", "!")
	state := newMemState()
	send := func(in []sink.Input) *sink.BatchResult {
		res := applyAll(in)
		for i, x := range in {
			switch x.ID {
			case "404":
				res.Items[i] = sink.ItemResult{Outcome: sink.Failed, Code: "OBJECT_NOT_FOUND", Message: "no such record"}
			case "u":
				res.Items[i] = sink.ItemResult{Outcome: sink.Unknown}
			}
		}
		return res
	}
	_, _, p, d := runOnlyChanged(t, Config{BatchSize: 100, Workers: 1}, recs, state, send)
	want := []syncstate.Entry{entryOf(recs[0]), entryOf(recs[3])}
	if diff := cmp.Diff(want, state.confirms); diff != "" {
		t.Errorf("confirmed (-want +got):\n%s", diff)
	}
	slices.Sort(d.entries)
	if diff := cmp.Diff([]string{"2:OBJECT_NOT_FOUND", "3:" + CodeUnknownOutcome, "5:MALFORMED_ROW"}, d.entries); diff != "" {
		t.Errorf("dead letters (-want +got):\n%s", diff)
	}
	if n := p.Stats().Applied.Load(); n != 2 {
		t.Errorf("applied = %d, want 2", n)
	}
}

// TestOnlyChangedSyncsBeforeEverySave: the checkpoint never claims a
// record whose confirmation is not durable yet.
func TestOnlyChangedSyncsBeforeEverySave(t *testing.T) {
	var ids []string
	for i := range 300 {
		ids = append(ids, strconv.Itoa(i))
	}
	recs := records(ids...)
	for i := range recs {
		if i%3 == 0 {
			recs[i] = changed(recs[i])
		}
	}
	state := newMemState(records(ids...)...)
	send := func(in []sink.Input) *sink.BatchResult {
		time.Sleep(time.Millisecond) // let the committer save between batches
		return applyAll(in)
	}
	_, prog, p, _ := runOnlyChanged(t, Config{BatchSize: 5, Workers: 4, SyncEvery: time.Millisecond}, recs, state, send)
	if prog.saves < 2 || prog.behind != 0 {
		t.Errorf("%d saves, %d of them with confirmations not synced; want several, none", prog.saves, prog.behind)
	}
	if state.syncs < prog.saves {
		t.Errorf("%d syncs for %d saves", state.syncs, prog.saves)
	}
	if got := int64(len(state.confirms)); got != 100 || p.Stats().Unchanged.Load() != 200 {
		t.Errorf("%d confirmed, %d unchanged; want 100, 200", got, p.Stats().Unchanged.Load())
	}
}

// TestOnlyChangedRepeatedID: once a record is sent, a later row for it is
// sent too, even with the values HubSpot had before, so that HubSpot ends
// with the last row's.
func TestOnlyChangedRepeatedID(t *testing.T) {
	old := records("1", "2")
	recs := []source.Record{changed(old[0]), old[1], old[0]}
	recs[2].Line, recs[2].Offset, recs[2].End, recs[2].EndLine = 3, 20, 30, 4
	state := newMemState(old...)
	sent, _, _, _ := runOnlyChanged(t, Config{BatchSize: 100, Workers: 2}, recs, state, applyAll)
	if diff := cmp.Diff([][]string{{"1"}, {"1"}}, sent); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]syncstate.Entry{entryOf(recs[0]), entryOf(recs[2])}, state.confirms); diff != "" {
		t.Errorf("confirmed (-want +got):\n%s", diff)
	}
}

func TestOnlyChangedConfirmFailureStops(t *testing.T) {
	state := newMemState()
	state.confirmErr = errors.New("disk full")
	s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) { return applyAll(in), nil }}
	p := newTestPipeline(t, Config{State: state, Progress: &stateProgress{state: state}}, records("1", "2"), s, &fakeDead{})
	if err := p.Run(context.Background()); !errors.Is(err, state.confirmErr) {
		t.Errorf("Run = %v, want the Confirm error", err)
	}
}

// TestBatcherUnchanged: unchanged records take no place in a batch, only
// its span, and a long run of them seals a batch so that the checkpoint
// moves on.
func TestBatcherUnchanged(t *testing.T) {
	end := func(n int64) source.Position { return source.Position{Offset: 10 * n, Line: n + 1} }
	recs := records("1", "2", "3", "4")
	bt, err := newBatcher(2, source.Position{Line: 1}, newKeyGuard().key)
	if err != nil {
		t.Fatal(err)
	}
	var got []sealedBatch
	var keys [][]uint64
	keep := func(b *batch) {
		if b != nil {
			got = append(got, describe(b))
			keys = append(keys, b.unchangedKeys)
		}
	}
	keep(bt.add(recs[0], syncstate.Entry{}))
	keep(bt.addUnchanged(recs[1]))
	keep(bt.add(recs[2], syncstate.Entry{}))
	keep(bt.addUnchanged(recs[3]))
	keep(bt.flush())
	want := []sealedBatch{
		{Seq: 1, IDs: []string{"1", "3"}, Start: 0, End: end(3)},
		{Seq: 2, Start: 30, End: end(4)}, // unchanged alone: settled, nothing to send
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	// A batch holds the keys of its unchanged records, but for one of
	// unchanged records alone, which settles at once.
	if diff := cmp.Diff([][]uint64{{bt.key("2")}, nil}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}

	var sealed *batch
	rec := records("1")[0]
	for i := range maxUnchanged {
		rec.Line, rec.Offset, rec.End, rec.EndLine = int64(i+1), int64(10*i), int64(10*i+10), int64(i+2)
		if b := bt.addUnchanged(rec); b != nil {
			if i != maxUnchanged-1 {
				t.Fatalf("sealed after %d unchanged records, want %d", i+1, maxUnchanged)
			}
			sealed = b
		}
	}
	if sealed == nil || len(sealed.items) != 0 || sealed.end.Offset != 10*maxUnchanged {
		t.Fatalf("after %d unchanged records: sealed %+v, want an empty batch to offset %d", maxUnchanged, sealed, 10*maxUnchanged)
	}
	if b := bt.flush(); b != nil {
		t.Errorf("flush after the seal = %+v, want nil", describe(b))
	}
}

// TestOnlyChangedUnchangedCountForTheDeadLetterLimit: a night whose few
// changed records all fail is judged against every record settled, the
// unchanged ones included, not against the changed ones alone.
func TestOnlyChangedUnchangedCountForTheDeadLetterLimit(t *testing.T) {
	var ids []string
	for i := range 200 {
		ids = append(ids, strconv.Itoa(i+1))
	}
	before := records(ids...)
	recs := slices.Clone(before)
	for i := range 20 {
		recs[i*10] = changed(recs[i*10])
	}
	state := newMemState(before...)
	failAll := func(in []sink.Input) *sink.BatchResult {
		res := applyAll(in)
		for i := range res.Items {
			res.Items[i] = sink.ItemResult{Outcome: sink.Failed, Code: "INVALID_OPTION", Message: "bad"}
		}
		return res
	}
	limit := &DeadLetterLimit{Max: -1, Percent: 50, Sample: 10}
	_, _, p, _ := runOnlyChanged(t, Config{BatchSize: 5, Workers: 1, DeadLetterLimit: limit}, recs, state, failAll)
	if got := []int64{p.Stats().DeadLettered.Load(), p.Stats().Unchanged.Load()}; !slices.Equal(got, []int64{20, 180}) {
		t.Errorf("dead-lettered, unchanged = %v, want [20 180]", got)
	}
}

// TestOnlyChangedFailedRecordsAreInTheFile: a record that fails before
// sending is still looked up, so that the state does not count it as no
// longer in the file.
func TestOnlyChangedFailedRecordsAreInTheFile(t *testing.T) {
	recs := records("1", "2")
	recs[1].Err = &source.RecordError{Code: source.CodeMalformedRow, Message: "bad"}
	state := newMemState(records("1", "2")...)
	sent, _, _, d := runOnlyChanged(t, Config{}, recs, state, applyAll)
	if len(sent) != 0 || len(d.entries) != 1 {
		t.Fatalf("sent %v, dead letters %v; want nothing sent, one dead letter", sent, d.entries)
	}
	if key := entryOf(recs[1]).Key; !state.seen[key] {
		t.Error("the failed record was never looked up")
	}
	if key := entryOf(recs[1]).Key; state.sent[key] {
		t.Error("the failed record counts as sent: a later row of it would be sent though unchanged")
	}
}

// TestOnlyChangedIntendsBeforeSending: every record is intended before its
// first request leaves, once (not again on a retry or a split), and
// records that failed before sending are not.
func TestOnlyChangedIntendsBeforeSending(t *testing.T) {
	recs := records("1", "bad", "3", "!", "5", "6")
	state := newMemState()
	var mu sync.Mutex
	var notIntended [][]string
	calls := 0
	send := func(in []sink.Input) *sink.BatchResult {
		var ids []string
		var es []syncstate.Entry
		for _, x := range in {
			ids = append(ids, x.ID)
			es = append(es, entryOf(source.Record{ID: x.ID, Props: x.Props}))
		}
		mu.Lock()
		defer mu.Unlock()
		calls++
		if !state.intended(es) {
			notIntended = append(notIntended, ids)
		}
		res := applyAll(in)
		if calls == 1 {
			res.Items[0].Outcome = sink.Unknown // sent again: a retry
		}
		for i, x := range in {
			if x.ID == "bad" {
				res.Items[i] = sink.ItemResult{Outcome: sink.Failed, Code: "INVALID_OPTION", Message: "bad"}
			}
		}
		return res
	}
	runOnlyChanged(t, Config{BatchSize: 3, Workers: 2}, recs, state, send)
	if len(notIntended) != 0 {
		t.Errorf("sent before being intended: %v", notIntended)
	}
	var got [][]string
	for _, call := range state.intends {
		var ids []string
		for _, e := range call {
			for _, rec := range recs {
				if rec.Err == nil && entryOf(rec) == e {
					ids = append(ids, rec.ID)
				}
			}
		}
		got = append(got, ids)
	}
	slices.SortFunc(got, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if diff := cmp.Diff([][]string{{"1", "bad", "3"}, {"5", "6"}}, got); diff != "" {
		t.Errorf("intended, call by call (-want +got):\n%s", diff)
	}
}

func TestOnlyChangedIntendFailureStops(t *testing.T) {
	state := newMemState()
	state.intendErr = errors.New("disk full")
	s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) { return applyAll(in), nil }}
	p := newTestPipeline(t, Config{State: state, Progress: &stateProgress{state: state}}, records("1", "2"), s, &fakeDead{})
	if err := p.Run(context.Background()); !errors.Is(err, state.intendErr) {
		t.Errorf("Run = %v, want the Intend error", err)
	}
	if s.calls != 0 {
		t.Errorf("%d requests sent, want none", s.calls)
	}
}

// TestOnlyChangedUnknownOutcomeThenRevert: HubSpot may have applied a
// record whose outcome stayed unknown, so when the next file reverts it to
// the values HubSpot confirmed before, it is sent: the state must not
// take the old values for HubSpot's.
func TestOnlyChangedUnknownOutcomeThenRevert(t *testing.T) {
	old := records("1", "2")
	night1 := []source.Record{changed(old[0]), changed(old[1])}
	state := newMemState(old...)
	unknown1 := func(in []sink.Input) *sink.BatchResult {
		res := applyAll(in) // HubSpot applies both, but reports only record 2
		for i, x := range in {
			if x.ID == "1" {
				res.Items[i].Outcome = sink.Unknown
			}
		}
		return res
	}
	_, _, _, d := runOnlyChanged(t, Config{}, night1, state, unknown1)
	if diff := cmp.Diff([]string{"1:" + CodeUnknownOutcome}, d.entries); diff != "" {
		t.Fatalf("night 1 dead letters (-want +got):\n%s", diff)
	}
	night2 := old // back to what HubSpot had before night 1
	sent, _, _, _ := runOnlyChanged(t, Config{}, night2, state.next(), applyAll)
	if diff := cmp.Diff([][]string{{"1", "2"}}, sent); diff != "" {
		t.Errorf("night 2 requests (-want +got):\n%s", diff)
	}
}

// signalReader closes at once it has yielded n records.
type signalReader struct {
	fakeReader
	n  int
	at chan struct{}
}

func (r *signalReader) Next() (source.Record, error) {
	rec, err := r.fakeReader.Next()
	if r.n--; r.n == 0 {
		close(r.at)
	}
	return rec, err
}

// TestOnlyChangedCountsUnchangedOnceAcrossAResume: unchanged records are
// counted when their batch settles, so that those of batches a stopped
// run left unsettled, read again by the resumed run, count once.
func TestOnlyChangedCountsUnchangedOnceAcrossAResume(t *testing.T) {
	// u c u c u c u c u c: each changed record seals a batch of one
	// record to send, which the unchanged one before it rides along. The
	// changed rows are of one record, so that the batches are sent in
	// file order.
	var ids []string
	for i := range 10 {
		ids = append(ids, strconv.Itoa(i))
		if i%2 == 1 {
			ids[i] = "x"
		}
	}
	before := records(ids...)
	recs := slices.Clone(before)
	for i := 1; i < len(recs); i += 2 {
		recs[i].Props = []source.Prop{{Name: "n", Value: "changed " + strconv.Itoa(i)}}
	}
	state := newMemState(before...)

	// Run 1: the first request waits until every record is read, and the
	// run stops meanwhile: batch 1 settles, the others stay unsettled.
	r := &signalReader{fakeReader: fakeReader{recs: recs}, n: len(recs), at: make(chan struct{})}
	drain := make(chan struct{})
	s := &fakeSender{send: func(call int, in []sink.Input) (*sink.BatchResult, error) {
		if call == 1 {
			<-r.at
			close(drain)
		}
		return applyAll(in), nil
	}}
	prog := &stateProgress{state: state}
	cfg := Config{BatchSize: 1, Workers: 1, State: state, Progress: prog, Drain: drain}
	p, err := New(cfg, r, s, &fakeDead{}, NewLimiter(0, 0), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(context.Background()); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("run 1 = %v, want ErrInterrupted", err)
	}
	if prog.end != recs[1].End || s.calls != 1 {
		t.Fatalf("run 1 settled to %d in %d requests, want %d (batch 1) in 1", prog.end, s.calls, recs[1].End)
	}
	first := p.Stats().Unchanged.Load()

	// Run 2 resumes after batch 1.
	_, _, p2, _ := runOnlyChanged(t, Config{BatchSize: 1, Workers: 1, Start: source.Position{Offset: prog.end, Line: 3}},
		recs[2:], state.next(), applyAll)
	if got := []int64{first, p2.Stats().Unchanged.Load()}; !slices.Equal(got, []int64{1, 4}) {
		t.Errorf("unchanged in run 1, run 2 = %v, want [1 4]: each of the 5 once", got)
	}
}

// TestOnlyChangedUnchangedRowHoldsItsRecord: a later row of a record
// whose unchanged row rides along a batch still in flight waits for that
// batch, as it would for a row sent: settled first, it would be confirmed
// while the checkpoint still has the unchanged row to read again, and a
// resume would send that row's older values over it.
func TestOnlyChangedUnchangedRowHoldsItsRecord(t *testing.T) {
	old := records("x", "a")
	recs := []source.Record{old[0], changed(old[1]), changed(old[0])} // x unchanged, a changed, x changed
	recs[2].Line, recs[2].Offset, recs[2].End, recs[2].EndLine = 3, 20, 30, 4
	var mu sync.Mutex
	var events []string
	xSent := make(chan struct{})
	send := func(in []sink.Input) *sink.BatchResult {
		switch in[0].ID {
		case "a": // the batch holding x's unchanged row is slow
			select {
			case <-xSent:
			case <-time.After(50 * time.Millisecond):
			}
			mu.Lock()
			events = append(events, "a settled")
			mu.Unlock()
		case "x":
			mu.Lock()
			events = append(events, "x sent")
			mu.Unlock()
			close(xSent)
		}
		return applyAll(in)
	}
	sent, _, _, _ := runOnlyChanged(t, Config{BatchSize: 1, Workers: 2}, recs, newMemState(old...), send)
	if diff := cmp.Diff([][]string{{"a"}, {"x"}}, sent); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a settled", "x sent"}, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
