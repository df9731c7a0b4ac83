package pipeline

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint/syncstate"
	"github.com/hubsync/hubsync/source"
)

func TestAdmit(t *testing.T) {
	dropAll := func(rec source.Record) source.Record { rec.Props = nil; return rec }
	tests := []struct {
		name      string
		rec       source.Record
		skip      func(source.Record) bool
		transform func(source.Record) source.Record
		wantOK    bool
		wantCode  string // of rec.Err; "" for none
		wantProps int
	}{
		{name: "sent as read", rec: records("1")[0], wantOK: true, wantProps: 1},
		{name: "skipped", rec: records("1")[0], skip: func(source.Record) bool { return true }, wantProps: 1},
		{name: "transformed", rec: records("1")[0], wantOK: true, wantProps: 2,
			transform: func(rec source.Record) source.Record {
				rec.Props = append(rec.Props, source.Prop{Name: "k", Value: "v"})
				return rec
			}},
		{name: "transform drops every property", rec: records("1")[0], transform: dropAll,
			wantOK: true, wantCode: CodeNoProperties},
		{name: "read without properties", rec: source.Record{Line: 1, ID: "1"},
			wantOK: true, wantCode: CodeNoProperties},
		{name: "failed record is not transformed", rec: records("!")[0], transform: dropAll,
			wantOK: true, wantCode: source.CodeMalformedRow, wantProps: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Pipeline{cfg: Config{Skip: tt.skip, Transform: tt.transform}}
			rec, _, what := p.admit(tt.rec)
			ok := what == admitSend
			code := ""
			if rec.Err != nil {
				code = rec.Err.Code
			}
			if ok != tt.wantOK || code != tt.wantCode || len(rec.Props) != tt.wantProps {
				t.Errorf("admit = ok %v, code %q, %d properties; want ok %v, code %q, %d properties",
					ok, code, len(rec.Props), tt.wantOK, tt.wantCode, tt.wantProps)
			}
			skipped := int64(0)
			if !tt.wantOK {
				skipped = 1
			}
			if p.stats.Read.Load() != 1 || p.stats.Skipped.Load() != skipped || p.stats.Offset.Load() != tt.rec.End {
				t.Errorf("stats: read %d, skipped %d, offset %d; want 1, %d, %d",
					p.stats.Read.Load(), p.stats.Skipped.Load(), p.stats.Offset.Load(), skipped, tt.rec.End)
			}
		})
	}
}

func TestHandOver(t *testing.T) {
	closed := make(chan struct{})
	close(closed)
	tests := []struct {
		name     string
		failed   bool // a batch of failed records alone
		carrier  bool // a carrier is free to take it
		drain    <-chan struct{}
		halt     bool
		cancel   bool
		wantErr  error
		wantWork int
		wantDone int
	}{
		{name: "taken by a carrier", carrier: true, wantWork: 1},
		{name: "failed records go to the committer", failed: true, wantDone: 1},
		{name: "drain while waiting", drain: closed, wantErr: errStopping},
		{name: "halt while waiting", halt: true, wantErr: errStopping},
		{name: "canceled while waiting", cancel: true, wantErr: context.Canceled},
		{name: "failed records, canceled", failed: true, cancel: true, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Pipeline{cfg: Config{Drain: tt.drain}, guard: newKeyGuard(), halted: make(chan struct{}), log: zap.NewNop()}
			if tt.halt {
				p.halt(errors.New("test"))
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			work := make(chan *batch, 1)
			if !tt.carrier {
				work = make(chan *batch) // nobody receives
			}
			done := make(chan settled) // nobody receives
			if tt.failed && !tt.cancel {
				done = make(chan settled, 1)
			}
			bt, _ := newBatcher(2, source.Position{}, p.guard.key)
			ids := []string{"1", "2"}
			if tt.failed {
				ids = []string{"!", "!"}
			}
			var b *batch
			for _, rec := range records(ids...) {
				if s := bt.add(rec, syncstate.Entry{}); s != nil {
					b = s
				}
			}
			err := p.handOver(ctx, b, work, done)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("handOver = %v, want %v", err, tt.wantErr)
			}
			if len(work) != tt.wantWork || len(done) != tt.wantDone {
				t.Errorf("work %d, done %d; want %d, %d", len(work), len(done), tt.wantWork, tt.wantDone)
			}
			if held := len(p.guard.last); tt.wantErr != nil && held != 0 {
				t.Errorf("guard holds %d keys of a batch not handed over", held)
			}
		})
	}
}

// TestStopped: a stop asked for ends dispatch as an interruption, any other
// error as that error.
func TestStopped(t *testing.T) {
	p := &Pipeline{log: zap.NewNop()}
	other := errors.New("disk gone")
	for _, tt := range []struct {
		err             error
		wantInterrupted bool
		wantErr         error
	}{
		{errStopping, true, nil},
		{context.Canceled, false, context.Canceled},
		{other, false, other},
	} {
		interrupted, err := p.stopped(tt.err)
		if interrupted != tt.wantInterrupted || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
			t.Errorf("stopped(%v) = %v, %v; want %v, %v", tt.err, interrupted, err, tt.wantInterrupted, tt.wantErr)
		}
	}
}
