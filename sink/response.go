package sink

import (
	"fmt"
)

// Outcome is what became of one input of a batch.
type Outcome int

const (
	// Unknown: the response neither confirmed nor rejected the input. It
	// may or may not have been applied; re-sending it is safe. This is the
	// zero value, so an Outcome nobody set never reads as success.
	Unknown Outcome = iota
	// Applied: HubSpot confirmed the update of this input.
	Applied
	// Failed: HubSpot rejected this input (record-level, e.g.
	// OBJECT_NOT_FOUND); it belongs in the dead-letter file.
	Failed
)

var outcomeNames = [...]string{Unknown: "unknown", Applied: "applied", Failed: "failed"}

func (o Outcome) String() string {
	if o >= 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// ItemResult is the outcome of one input.
type ItemResult struct {
	Outcome Outcome
	Code    string // Failed: HubSpot's category, e.g. OBJECT_NOT_FOUND
	Message string // Failed: HubSpot's message; Unknown: why it is unknown
}

// BatchResult is a 200 or 207 answer, resolved per input.
type BatchResult struct {
	StatusCode    int
	Items         []ItemResult // Items[i] belongs to inputs[i]
	CorrelationID string       // from X-HubSpot-Correlation-Id, if present
	RateLimit     RateLimit
}

// Counts returns how many items were applied, failed and unknown.
func (r *BatchResult) Counts() (applied, failed, unknown int) {
	for _, it := range r.Items {
		switch it.Outcome {
		case Applied:
			applied++
		case Failed:
			failed++
		default:
			unknown++
		}
	}
	return applied, failed, unknown
}

// batchMeta is what matching needs to know about the request that was sent.
type batchMeta struct {
	idProperty  string
	tracePrefix string
	traceStart  uint64 // trace sequence number of inputs[0]
}

// decodeBatch parses a 200/207 body and resolves one ItemResult per input.
// It fails only on a body that is not JSON; values of unexpected types are
// skipped, which at worst leaves inputs Unknown.
func decodeBatch(body []byte, inputs []Input, m batchMeta) ([]ItemResult, error) {
	b, err := parseBatch(body, m.idProperty, len(inputs))
	if err != nil {
		return nil, err
	}
	return match(inputs, m, b.status, b.results, b.errors), nil
}
