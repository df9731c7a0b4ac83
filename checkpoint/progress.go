package checkpoint

import (
	"cmp"
	"slices"
)

// Progress turns batches, which settle out of order, into a watermark and
// the spans settled beyond it. Batches are numbered 1, 2, … in file order,
// and each covers the input from where the one before it ended. It is not
// safe for concurrent use: the pipeline's committer owns it.
type Progress struct {
	next      uint64          // lowest batch number not yet settled
	watermark Pos             // where batch next starts
	ahead     map[uint64]Span // settled batches numbered above next
	carried   []Span          // spans a previous run settled beyond watermark
}

// NewProgress starts from a resume point: the watermark and spans of a
// checkpoint (zero values for a fresh start, whose watermark is line 1).
func NewProgress(watermark Pos, settled []Span) *Progress {
	if watermark.Line == 0 {
		watermark.Line = 1
	}
	return &Progress{next: 1, watermark: watermark, ahead: make(map[uint64]Span), carried: slices.Clone(settled)}
}

// Settle records that batch seq, which began at start, is settled up to end.
func (p *Progress) Settle(seq uint64, start int64, end Pos) {
	if seq < p.next {
		return
	}
	p.ahead[seq] = Span{Start: start, End: end}
	for {
		sp, ok := p.ahead[p.next]
		if !ok {
			break
		}
		delete(p.ahead, p.next)
		p.next++
		if sp.End.Offset > p.watermark.Offset {
			p.watermark = sp.End
		}
	}
	// Spans carried over from the last run merge once the watermark
	// reaches them.
	for len(p.carried) > 0 && p.carried[0].Start <= p.watermark.Offset {
		if p.carried[0].End.Offset > p.watermark.Offset {
			p.watermark = p.carried[0].End
		}
		p.carried = p.carried[1:]
	}
}

// Watermark is the position up to which every record is settled.
func (p *Progress) Watermark() Pos { return p.watermark }

// Spans lists, in file order, the settled spans beyond the watermark.
func (p *Progress) Spans() []Span {
	out := make([]Span, 0, len(p.carried)+len(p.ahead))
	out = append(out, p.carried...)
	for _, sp := range p.ahead {
		out = append(out, sp)
	}
	slices.SortFunc(out, func(a, b Span) int { return cmp.Compare(a.Start, b.Start) })
	// A batch of this run may cover a span carried over from the last one
	// (its records were skipped): keep the outer span.
	merged := out[:0]
	for _, sp := range out {
		if n := len(merged); n > 0 && sp.Start < merged[n-1].End.Offset {
			if sp.End.Offset > merged[n-1].End.Offset {
				merged[n-1].End = sp.End
			}
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}
