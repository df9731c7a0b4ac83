package pipeline

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/sink"
)

// Codes of failures decided by hubsync rather than by HubSpot.
const (
	CodeUnknownOutcome = "UNKNOWN_OUTCOME" // HubSpot twice neither confirmed nor rejected the record
	CodeRejected       = "REJECTED"        // HubSpot rejected the record without naming an error code
)

// work takes batches until work is closed and settles each one.
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
		fails := make([]failure, len(b.items))
		if err := p.settle(ctx, b, b.items, fails); err != nil {
			return fmt.Errorf("send batch %d: %w", b.seq, err)
		}
		select {
		case done <- settled{b: b, fails: fails}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// settle sends items and records in fails why any of them failed. A batch
// that HubSpot rejects as a whole is split in halves until the rejected
// records stand alone; inputs whose outcome HubSpot does not report are sent
// once more on their own. It returns an error only when the run must stop.
func (p *Pipeline) settle(ctx context.Context, b *batch, items []item, fails []failure) error {
	res, err := p.send(ctx, b, items)
	if err != nil {
		if sink.Classify(err) != sink.ClassRejected {
			return err
		}
		var apiErr *sink.APIError
		errors.As(err, &apiErr)
		if len(items) == 1 {
			fails[0] = rejection(apiErr)
			p.log.Debug("record rejected", zap.Uint64("batch", b.seq), zap.Int64("line", items[0].rec.Line),
				zap.String("code", fails[0].code), zap.String("correlation_id", apiErr.CorrelationID))
			return nil
		}
		p.stats.Splits.Add(1)
		p.log.Debug("batch rejected, splitting", zap.Uint64("batch", b.seq), zap.Int("records", len(items)),
			zap.String("correlation_id", apiErr.CorrelationID))
		half := len(items) / 2
		if err := p.settle(ctx, b, items[:half], fails[:half]); err != nil {
			return err
		}
		return p.settle(ctx, b, items[half:], fails[half:])
	}

	var unknown []int
	for i, r := range res.Items {
		switch r.Outcome {
		case sink.Applied:
		case sink.Failed:
			fails[i] = failure{code: r.Code, message: r.Message}
		default:
			unknown = append(unknown, i)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	p.log.Warn("outcome not reported, sending again", zap.Uint64("batch", b.seq),
		zap.Int("records", len(unknown)), zap.String("correlation_id", res.CorrelationID))
	again := make([]item, len(unknown))
	for j, i := range unknown {
		again[j] = items[i]
	}
	res, err = p.send(ctx, b, again)
	if err != nil {
		if sink.Classify(err) != sink.ClassRejected {
			return err
		}
		// Rare: a batch that was accepted once is rejected now. Isolate
		// the records as for any rejected batch.
		sub := make([]failure, len(again))
		if err := p.settle(ctx, b, again, sub); err != nil {
			return err
		}
		for j, i := range unknown {
			fails[i] = sub[j]
		}
		return nil
	}
	for j, i := range unknown {
		switch r := res.Items[j]; r.Outcome {
		case sink.Applied:
		case sink.Failed:
			fails[i] = failure{code: r.Code, message: r.Message}
		default:
			fails[i] = failure{code: CodeUnknownOutcome,
				message: "HubSpot answered twice without confirming or rejecting this record; check it in HubSpot and resend if needed"}
		}
	}
	return nil
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

// inputs converts items into the request's inputs.
func inputs(items []item) []sink.Input {
	in := make([]sink.Input, len(items))
	for i := range items {
		in[i] = sink.Input{ID: items[i].rec.ID, Props: items[i].rec.Props}
	}
	return in
}
