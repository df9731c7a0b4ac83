package pipeline

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint/syncstate"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// Codes of failures decided by hubsync rather than by HubSpot.
const (
	CodeUnknownOutcome = "UNKNOWN_OUTCOME" // HubSpot twice neither confirmed nor rejected the record
	CodeRejected       = "REJECTED"        // HubSpot rejected the record without naming an error code
	CodeKeepsFailing   = "KEEPS_FAILING"   // HubSpot failed every attempt on this record alone while others went through
	CodeNoProperties   = "NO_PROPERTIES"   // the record sets no property: nothing to send
)

// batchesPerWorker is how many batches may be in progress (read and not yet
// settled) per request in flight: room for each worker's request, for as
// many batches waiting out a backoff and for the batches that wait for one
// of those because they share a record, with memory still bounded.
const batchesPerWorker = 4

// work is a carrier: it takes batches until work is closed, waits until no
// earlier batch holds one of a batch's records, and settles it.
func (p *Pipeline) work(ctx context.Context, work <-chan *batch, done chan<- settled) error {
	for {
		var b *batch
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b = <-work:
			if b == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.ready:
		}
		if p.draining() {
			// Stopping: send nothing new. The batch stays unsettled
			// and the next run sends it; the batches behind it must
			// not wait for it.
			p.guard.release(b)
			return nil
		}
		if err := p.intend(b); err != nil {
			return err
		}
		fails := make([]failure, len(b.items))
		all := make([]int, len(b.items))
		for i := range all {
			all[i] = i
		}
		if err := p.settle(ctx, b, all, fails); errors.Is(err, errHalted) {
			p.guard.release(b)
			return nil
		} else if err != nil {
			return fmt.Errorf("send batch %d: %w", b.seq, err)
		}
		if err := p.streak.settled(fails); err != nil {
			return err
		}
		select {
		case done <- settled{b: b, fails: fails}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// intend tells Config.State, when set, that b's records are about to be
// sent (see SyncState.Intend). An error stops the run, as a failing
// Confirm does: a request sent unrecorded could leave HubSpot with values
// the state does not know of.
func (p *Pipeline) intend(b *batch) error {
	if p.cfg.State == nil {
		return nil
	}
	es := make([]syncstate.Entry, len(b.items))
	for i := range b.items {
		es[i] = b.items[i].entry
	}
	if err := p.cfg.State.Intend(es); err != nil {
		return fmt.Errorf("record batch %d as about to be sent: %w", b.seq, err)
	}
	return nil
}

// settle sends the items of b named by idx and records in fails why any of
// them failed. A batch that HubSpot rejects as a whole is split until the
// rejected records stand alone: first into the records HubSpot's answer
// points at and the rest, otherwise in halves. Inputs whose outcome HubSpot
// does not report are sent once more on their own. It returns an error only
// when the run must stop.
func (p *Pipeline) settle(ctx context.Context, b *batch, idx []int, fails []failure) error {
	res, err := p.send(ctx, b, idx)
	if err != nil {
		return p.split(ctx, b, idx, fails, err)
	}
	unknown := outcomes(res, idx, fails)
	if len(unknown) == 0 {
		return nil
	}
	p.log.Warn("outcome not reported, sending again", zap.Uint64("batch", b.seq),
		zap.Int("records", len(unknown)), zap.String("correlation_id", res.CorrelationID))
	res, err = p.send(ctx, b, unknown)
	if err != nil {
		// Rare: inputs accepted once are rejected now. Isolate them as
		// for any rejected batch.
		return p.split(ctx, b, unknown, fails, err)
	}
	for _, i := range outcomes(res, unknown, fails) {
		fails[i] = failure{code: CodeUnknownOutcome,
			message: "HubSpot answered twice without confirming or rejecting this record; check it in HubSpot and resend if needed"}
	}
	return nil
}

// outcomes records in fails what res says of the inputs idx that HubSpot
// rejected, and returns those whose outcome it does not report.
func outcomes(res *sink.BatchResult, idx []int, fails []failure) (unknown []int) {
	for j, r := range res.Items {
		switch r.Outcome {
		case sink.Applied:
		case sink.Failed:
			fails[idx[j]] = failure{code: r.Code, message: r.Message}
		default:
			unknown = append(unknown, idx[j])
		}
	}
	return unknown
}

// split handles err, the failure of a request for the items idx: a rejected
// request (or one that kept failing while other requests went through) is
// split and its parts settled; a single record takes the failure. Any other
// error is returned.
func (p *Pipeline) split(ctx context.Context, b *batch, idx []int, fails []failure, err error) error {
	var apiErr *sink.APIError
	errors.As(err, &apiErr)
	keepsFailing := errors.Is(err, errBatchKeepsFailing)
	if !keepsFailing {
		if sink.Classify(err) != sink.ClassRejected {
			return err
		}
		if serr := schemaError(apiErr, b, idx); serr != nil {
			return serr
		}
	}
	if len(idx) == 1 {
		f := rejection(apiErr)
		if keepsFailing {
			f = failure{code: CodeKeepsFailing, message: "HubSpot failed every attempt to update this record: " + err.Error()}
		}
		f.rejected = true
		fails[idx[0]] = f
		p.log.Debug("record rejected", zap.Uint64("batch", b.seq), zap.Int64("line", b.items[idx[0]].rec.Line),
			zap.String("code", f.code), zap.String("correlation_id", correlation(apiErr)))
		return nil
	}
	p.stats.Splits.Add(1)
	first, second := suspects(apiErr, b, idx)
	p.log.Debug("batch rejected, splitting", zap.Uint64("batch", b.seq), zap.Int("records", len(idx)),
		zap.Int("suspects", len(first)), zap.String("correlation_id", correlation(apiErr)))
	if err := p.settle(ctx, b, first, fails); err != nil {
		return err
	}
	return p.settle(ctx, b, second, fails)
}

func correlation(e *sink.APIError) string {
	if e == nil {
		return ""
	}
	return e.CorrelationID
}

// rejection turns a whole-request rejection of a single record into its
// dead-letter reason, with HubSpot's own codes and messages.
func rejection(e *sink.APIError) failure {
	if e == nil {
		return failure{code: CodeRejected, message: "rejected by HubSpot"}
	}
	code, msg := e.Reason()
	if code == "" {
		code = CodeRejected
	}
	return failure{code: code, message: msg}
}

// A record's properties go to the client as they are: source.Prop and
// sink.PropertyValue name one type (see either), which this line checks
// where both packages meet.
var _ []sink.PropertyValue = []source.Prop(nil)

// inputs converts the items of b named by idx into the request's inputs.
func inputs(b *batch, idx []int) []sink.Input {
	in := make([]sink.Input, len(idx))
	for j, i := range idx {
		in[j] = sink.Input{ID: b.items[i].rec.ID, Props: b.items[i].rec.Props}
	}
	return in
}
