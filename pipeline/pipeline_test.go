package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeReader yields recs, then io.EOF.
type fakeReader struct{ recs []source.Record }

func (r *fakeReader) Next() (source.Record, error) {
	if len(r.recs) == 0 {
		return source.Record{}, io.EOF
	}
	rec := r.recs[0]
	r.recs = r.recs[1:]
	return rec, nil
}

// fakeSender answers with send; calls counts requests.
type fakeSender struct {
	send  func(call int, in []sink.Input) (*sink.BatchResult, error)
	mu    sync.Mutex
	calls int
}

func (s *fakeSender) UpdateBatch(ctx context.Context, in []sink.Input) (*sink.BatchResult, error) {
	s.mu.Lock()
	s.calls++
	call := s.calls
	s.mu.Unlock()
	return s.send(call, in)
}

// fakeDead keeps dead letters in memory.
type fakeDead struct {
	mu       sync.Mutex
	entries  []string // "line:code"
	writeErr error
}

func (d *fakeDead) Write(rec *source.Record, code, message string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.writeErr != nil {
		return d.writeErr
	}
	d.entries = append(d.entries, fmt.Sprintf("%d:%s", rec.Line, code))
	return nil
}

func (d *fakeDead) Sync() error { return nil }

// records makes one record a line with the given ids; an id "!" is a
// record that failed to parse.
func records(ids ...string) []source.Record {
	var recs []source.Record
	var off int64
	for i, id := range ids {
		rec := source.Record{Line: int64(i + 1), Offset: off, End: off + 10, EndLine: int64(i + 2), ID: id,
			Props: []source.Prop{{Name: "n", Value: strconv.Itoa(i + 1)}}}
		if id == "!" {
			rec.ID = ""
			rec.Err = &source.RecordError{Code: source.CodeMalformedRow, Message: "bad"}
		}
		recs = append(recs, rec)
		off += 10
	}
	return recs
}

func applyAll(in []sink.Input) *sink.BatchResult {
	res := &sink.BatchResult{StatusCode: 200, Items: make([]sink.ItemResult, len(in))}
	for i := range res.Items {
		res.Items[i].Outcome = sink.Applied
	}
	return res
}

func newTestPipeline(t *testing.T, cfg Config, recs []source.Record, s *fakeSender, d *fakeDead) *Pipeline {
	t.Helper()
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = time.Millisecond
		cfg.BackoffMax = 5 * time.Millisecond
	}
	p, err := New(cfg, &fakeReader{recs: recs}, s, d, NewLimiter(0, 0), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunAppliesAndDeadLetters(t *testing.T) {
	s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) {
		res := applyAll(in)
		for i, x := range in {
			if x.ID == "404" {
				res.Items[i] = sink.ItemResult{Outcome: sink.Failed, Code: "OBJECT_NOT_FOUND", Message: "no such record"}
			}
		}
		return res, nil
	}}
	d := &fakeDead{}
	p := newTestPipeline(t, Config{BatchSize: 3, Workers: 2}, records("1", "2", "!", "404", "5", "6", "7"), s, d)
	if err := p.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	st := p.Stats()
	got := []int64{st.Read.Load(), st.Applied.Load(), st.DeadLettered.Load(), st.Requests.Load()}
	if want := []int64{7, 5, 2, 2}; !slices.Equal(got, want) {
		t.Errorf("read, applied, dead, requests = %v, want %v", got, want)
	}
	slices.Sort(d.entries)
	if diff := cmp.Diff([]string{"3:MALFORMED_ROW", "4:OBJECT_NOT_FOUND"}, d.entries); diff != "" {
		t.Errorf("dead letters (-want +got):\n%s", diff)
	}
}

// TestRunKeepsFileOrderPerRecord sends many rows for few records through
// several workers with random delays and checks each record's last write is
// its last row.
func TestRunKeepsFileOrderPerRecord(t *testing.T) {
	var ids []string
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		ids = append(ids, strconv.Itoa(1+rng.IntN(30)))
	}
	var mu sync.Mutex
	final := map[string]string{}
	inFlight := map[string]bool{}
	s := &fakeSender{send: func(call int, in []sink.Input) (*sink.BatchResult, error) {
		mu.Lock()
		for _, x := range in {
			if inFlight[x.ID] {
				t.Errorf("record %s in two requests at once", x.ID)
			}
			inFlight[x.ID] = true
		}
		mu.Unlock()
		time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
		mu.Lock()
		for _, x := range in {
			final[x.ID] = x.Props[0].Value
			inFlight[x.ID] = false
		}
		mu.Unlock()
		return applyAll(in), nil
	}}
	p := newTestPipeline(t, Config{BatchSize: 7, Workers: 8}, records(ids...), s, &fakeDead{})
	if err := p.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := map[string]string{}
	for i, id := range ids {
		want[id] = strconv.Itoa(i + 1)
	}
	if diff := cmp.Diff(want, final); diff != "" {
		t.Errorf("final values (-want +got):\n%s", diff)
	}
}

// invalidOption is HubSpot's whole-batch rejection of value v of property
// n (docs/hubspot-api.md §7); named=false leaves the value out of the message.
func invalidOption(v string, named bool) error {
	msg := "x was not one of the allowed options"
	if named {
		msg = v + " was not one of the allowed options: [A, B]"
	}
	return &sink.APIError{StatusCode: 400, Category: "VALIDATION_ERROR",
		Message: `Property values were not valid: [{"isValid":false,"message":"` + msg + `","error":"INVALID_OPTION","name":"n"}]`,
		Errors:  []sink.ErrorDetail{{Code: "INVALID_OPTION", Message: msg, Context: map[string][]string{"propertyName": {"n"}}}}}
}

func TestRunIsolatesRejectedRecords(t *testing.T) {
	tests := []struct {
		name         string
		valueInError bool
		maxRequests  int64
	}{
		// The error quotes the bad value: the suspect goes alone, the rest
		// in one request.
		{"value quoted", true, 3},
		// It does not: a binary search, at most 2*ceil(log2 100)+1.
		{"value not quoted", false, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := make([]string, 100)
			for i := range ids {
				ids[i] = strconv.Itoa(i + 1)
			}
			s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) {
				for _, x := range in {
					if x.Props[0].Value == "37" {
						return nil, invalidOption("37", tt.valueInError)
					}
				}
				return applyAll(in), nil
			}}
			d := &fakeDead{}
			p := newTestPipeline(t, Config{BatchSize: 100, Workers: 1}, records(ids...), s, d)
			if err := p.Run(context.Background()); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if diff := cmp.Diff([]string{"37:INVALID_OPTION"}, d.entries); diff != "" {
				t.Errorf("dead letters (-want +got):\n%s", diff)
			}
			if got := p.Stats().Requests.Load(); got > tt.maxRequests {
				t.Errorf("%d requests to isolate one bad record in 100, want at most %d", got, tt.maxRequests)
			}
			if got := p.Stats().Applied.Load(); got != 99 {
				t.Errorf("applied %d, want 99", got)
			}
			t.Logf("%d requests, %d of them splits", p.Stats().Requests.Load(), p.Stats().Splits.Load())
		})
	}
}

func TestRunStopsOnSchemaError(t *testing.T) {
	s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) {
		return nil, &sink.APIError{StatusCode: 400, Category: "VALIDATION_ERROR",
			Message: `Property values were not valid: [{"isValid":false,"message":"Property \"n\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"n"}]`}
	}}
	d := &fakeDead{}
	p := newTestPipeline(t, Config{BatchSize: 10, Workers: 2}, records("1", "2", "3", "4", "5"), s, d)
	err := p.Run(context.Background())
	var se *SchemaError
	if !errors.As(err, &se) || se.Property != "n" {
		t.Fatalf("Run = %v, want a SchemaError for property n", err)
	}
	if s.calls != 1 || len(d.entries) != 0 {
		t.Errorf("%d requests and dead letters %v; want 1 request and none", s.calls, d.entries)
	}
}

func TestRunStopsWhenEveryRecordIsRejected(t *testing.T) {
	s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) {
		return nil, invalidOption("x", false)
	}}
	d := &fakeDead{}
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	p := newTestPipeline(t, Config{BatchSize: 4, Workers: 1}, records(ids...), s, d)
	if err := p.Run(context.Background()); !errors.Is(err, ErrAllRejected) {
		t.Fatalf("Run = %v, want ErrAllRejected", err)
	}
	if len(d.entries) > 8 {
		t.Errorf("%d records dead-lettered before stopping, want the first two batches at most", len(d.entries))
	}
}

func TestRunSplitsABatchThatKeepsFailing(t *testing.T) {
	s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) {
		for _, x := range in {
			if x.ID == "3" {
				return nil, &sink.APIError{StatusCode: 500, Message: "internal error"}
			}
		}
		return applyAll(in), nil
	}}
	d := &fakeDead{}
	p := newTestPipeline(t, Config{BatchSize: 4, Workers: 2, MaxAttempts: 3, MaxFailures: 1000},
		records("1", "2", "3", "4", "5", "6", "7", "8"), s, d)
	if err := p.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if diff := cmp.Diff([]string{"3:" + CodeKeepsFailing}, d.entries); diff != "" {
		t.Errorf("dead letters (-want +got):\n%s", diff)
	}
	if got := p.Stats().Applied.Load(); got != 7 {
		t.Errorf("applied %d, want 7", got)
	}
}

func TestRunStopsAtDailyReserve(t *testing.T) {
	s := &fakeSender{send: func(call int, in []sink.Input) (*sink.BatchResult, error) {
		res := applyAll(in)
		res.RateLimit = sink.RateLimit{Max: -1, Remaining: -1, Daily: 1000, DailyRemaining: 100 - call}
		return res, nil
	}}
	ids := make([]string, 200)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	p := newTestPipeline(t, Config{BatchSize: 2, Workers: 1, DailyReservePercent: 9.5}, records(ids...), s, &fakeDead{})
	err := p.Run(context.Background())
	var stop *StopError
	if !errors.As(err, &stop) || !errors.Is(err, ErrDailyReserve) {
		t.Fatalf("Run = %v, want a StopError for the daily reserve", err)
	}
	// 9.5% of 1000 is 95 left: reached on the 5th request.
	if s.calls != 5 {
		t.Errorf("%d requests, want 5", s.calls)
	}
	if got := p.Stats().Applied.Load(); got != 10 {
		t.Errorf("applied %d, want the 10 sent", got)
	}
}

func TestRunUnknownOutcome(t *testing.T) {
	tests := []struct {
		name      string
		resolveOn int // the call on which record 2 is confirmed; 0 never
		wantDead  []string
		wantCalls int
	}{
		{"confirmed on the second try", 2, nil, 2},
		{"never confirmed", 0, []string{"2:" + CodeUnknownOutcome}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &fakeSender{send: func(call int, in []sink.Input) (*sink.BatchResult, error) {
				res := applyAll(in)
				for i, x := range in {
					if x.ID == "2" && call != tt.resolveOn {
						res.Items[i] = sink.ItemResult{Outcome: sink.Unknown}
					}
				}
				return res, nil
			}}
			d := &fakeDead{}
			p := newTestPipeline(t, Config{BatchSize: 10, Workers: 1}, records("1", "2", "3"), s, d)
			if err := p.Run(context.Background()); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if diff := cmp.Diff(tt.wantDead, d.entries); diff != "" {
				t.Errorf("dead letters (-want +got):\n%s", diff)
			}
			if s.calls != tt.wantCalls {
				t.Errorf("%d requests, want %d", s.calls, tt.wantCalls)
			}
		})
	}
}

func TestRunRetriesTransientErrors(t *testing.T) {
	s := &fakeSender{send: func(call int, in []sink.Input) (*sink.BatchResult, error) {
		if call <= 2 {
			return nil, &sink.APIError{StatusCode: 503, Message: "unavailable"}
		}
		return applyAll(in), nil
	}}
	p := newTestPipeline(t, Config{BatchSize: 10, Workers: 1}, records("1", "2"), s, &fakeDead{})
	if err := p.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := p.Stats().Retries.Load(); got != 2 {
		t.Errorf("retries = %d, want 2", got)
	}
	if got := p.Stats().Applied.Load(); got != 2 {
		t.Errorf("applied = %d, want 2", got)
	}
}

func TestRunStops(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantStop bool // a *StopError, not a fatal error
	}{
		{"unauthorized is fatal", &sink.APIError{StatusCode: 401, Category: "INVALID_AUTHENTICATION"}, false},
		{"daily limit stops resumably", &sink.APIError{StatusCode: 429, PolicyName: "DAILY"}, true},
		{"outage stops resumably", &sink.APIError{StatusCode: 502}, true},
		{"dropped connections stop resumably", io.ErrUnexpectedEOF, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &fakeSender{send: func(int, []sink.Input) (*sink.BatchResult, error) { return nil, tt.err }}
			d := &fakeDead{}
			p := newTestPipeline(t, Config{BatchSize: 2, Workers: 2, MaxAttempts: 3}, records("1", "2", "3", "4", "5"), s, d)
			err := p.Run(context.Background())
			var stop *StopError
			if got := errors.As(err, &stop); got != tt.wantStop {
				t.Errorf("Run = %v; StopError %v, want %v", err, got, tt.wantStop)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("Run = %v, want it to wrap %v", err, tt.err)
			}
			if len(d.entries) != 0 {
				t.Errorf("dead letters %v, want none: a stop must not dead-letter", d.entries)
			}
		})
	}
}

func TestRunDrain(t *testing.T) {
	drain := make(chan struct{})
	s := &fakeSender{send: func(call int, in []sink.Input) (*sink.BatchResult, error) {
		if call == 3 {
			close(drain)
		}
		return applyAll(in), nil
	}}
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	p := newTestPipeline(t, Config{BatchSize: 5, Workers: 1, Drain: drain}, records(ids...), s, &fakeDead{})
	if err := p.Run(context.Background()); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Run = %v, want ErrInterrupted", err)
	}
	st := p.Stats()
	if st.Applied.Load() != 5*int64(s.calls) || s.calls >= 20 {
		t.Errorf("applied %d in %d requests; want whole batches and an early stop", st.Applied.Load(), s.calls)
	}
}

// stoppingReader yields recs, then blocks until stop is closed and fails
// as an input stopped inside a long line does.
type stoppingReader struct {
	fakeReader
	stop    <-chan struct{}
	stopped chan struct{} // closed when Next failed
}

func (r *stoppingReader) Next() (source.Record, error) {
	if len(r.recs) > 0 {
		return r.fakeReader.Next()
	}
	<-r.stop
	close(r.stopped)
	return source.Record{}, fmt.Errorf("read: %w", ErrInterrupted)
}

// TestRunDrainInsideRead: a reader that ends a read with ErrInterrupted
// after the drain began stops the run as a drain between records does,
// finishing the batch in flight instead of cancelling it.
func TestRunDrainInsideRead(t *testing.T) {
	drain := make(chan struct{})
	r := &stoppingReader{fakeReader: fakeReader{recs: records("1", "2", "3")}, stop: drain, stopped: make(chan struct{})}
	s := &fakeSender{send: func(call int, in []sink.Input) (*sink.BatchResult, error) {
		close(drain)
		<-r.stopped // the answer comes after the read failed
		return applyAll(in), nil
	}}
	p, err := New(Config{BatchSize: 3, Workers: 1, Drain: drain}, r, ctxSender{s}, &fakeDead{}, NewLimiter(0, 0), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(context.Background()); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Run = %v, want ErrInterrupted", err)
	}
	if got := p.Stats().Applied.Load(); got != 3 {
		t.Errorf("applied %d records, want the 3 of the batch in flight", got)
	}
}

// ctxSender fails a request whose context was cancelled before its
// answer, as the HTTP client does.
type ctxSender struct{ *fakeSender }

func (s ctxSender) UpdateBatch(ctx context.Context, in []sink.Input) (*sink.BatchResult, error) {
	res, err := s.fakeSender.UpdateBatch(ctx, in)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return res, err
}

func TestRunDeadLetterWriteFailureStops(t *testing.T) {
	s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) { return applyAll(in), nil }}
	diskFull := errors.New("no space left on device")
	d := &fakeDead{writeErr: diskFull}
	p := newTestPipeline(t, Config{BatchSize: 2, Workers: 2}, records("1", "!", "3", "4", "5", "6"), s, d)
	if err := p.Run(context.Background()); !errors.Is(err, diskFull) {
		t.Fatalf("Run = %v, want %v", err, diskFull)
	}
}

func TestRunTransform(t *testing.T) {
	s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) {
		for _, x := range in {
			if x.Props[0].Value != "coerced" {
				t.Errorf("record %s sent with %q, want the transformed value", x.ID, x.Props[0].Value)
			}
		}
		return applyAll(in), nil
	}}
	d := &fakeDead{}
	p := newTestPipeline(t, Config{BatchSize: 10, Workers: 1, Transform: func(rec source.Record) source.Record {
		if rec.ID == "2" {
			rec.Err = &source.RecordError{Code: "INVALID_DATE", Message: "not a day"}
			return rec
		}
		rec.Props[0].Value = "coerced"
		return rec
	}}, records("1", "2", "3"), s, d)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"2:INVALID_DATE"}, d.entries); diff != "" {
		t.Errorf("dead letters (-want +got):\n%s", diff)
	}
	if s.calls != 1 {
		t.Errorf("%d requests, want 1", s.calls)
	}
}

// TestRunHaltWithRepeatedIDs halts (daily limit) while later batches wait
// for keys held by the halted batch: Run must return, not hang.
func TestRunHaltWithRepeatedIDs(t *testing.T) {
	ids := make([]string, 60)
	for i := range ids {
		ids[i] = strconv.Itoa(i%3 + 1) // every batch repeats the ids of the one before
	}
	s := &fakeSender{send: func(call int, in []sink.Input) (*sink.BatchResult, error) {
		if call >= 3 {
			return nil, &sink.APIError{StatusCode: 429, PolicyName: "DAILY"}
		}
		return applyAll(in), nil
	}}
	p := newTestPipeline(t, Config{BatchSize: 3, Workers: 4}, records(ids...), s, &fakeDead{})
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	select {
	case err := <-done:
		var stop *StopError
		if !errors.As(err, &stop) {
			t.Fatalf("Run = %v, want a StopError", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the daily limit")
	}
}

func TestRunDeadLettersRecordsWithoutProperties(t *testing.T) {
	recs := records("1", "2")
	recs[1].Props = nil
	s := &fakeSender{send: func(_ int, in []sink.Input) (*sink.BatchResult, error) { return applyAll(in), nil }}
	d := &fakeDead{}
	p := newTestPipeline(t, Config{BatchSize: 10, Workers: 1}, recs, s, d)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"2:" + CodeNoProperties}, d.entries); diff != "" {
		t.Errorf("dead letters (-want +got):\n%s", diff)
	}
}
