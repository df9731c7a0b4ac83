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

func (o Outcome) String() string {
	switch o {
	case Unknown:
		return "unknown"
	case Applied:
		return "applied"
	case Failed:
		return "failed"
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

// batchBody is the lenient shape of a 200/207 body (REFERENCE §3); every
// field may be missing. R is resultLite, or resultProps when the idProperty
// value must be read from each result's properties.
type batchBody[R any] struct {
	Status  flexString  `json:"status"`
	Results []R         `json:"results"`
	Errors  []itemError `json:"errors"`
}

type resultLite struct {
	ID      flexString `json:"id"`
	TraceID flexString `json:"objectWriteTraceId"`
}

type resultProps struct {
	resultLite
	Properties map[string]flexString `json:"properties"`
}

type itemError struct {
	Category flexString             `json:"category"`
	Message  flexString             `json:"message"`
	Context  map[string]flexStrings `json:"context"`
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
	var (
		status  string
		results []resultRef
		errs    []itemError
	)
	if m.idProperty == "" {
		var b batchBody[resultLite]
		if err := unmarshalLenient(body, &b); err != nil {
			return nil, err
		}
		status, errs = string(b.Status), b.Errors
		results = make([]resultRef, len(b.Results))
		for i, r := range b.Results {
			results[i] = resultRef{id: string(r.ID), trace: string(r.TraceID)}
		}
	} else {
		var b batchBody[resultProps]
		if err := unmarshalLenient(body, &b); err != nil {
			return nil, err
		}
		status, errs = string(b.Status), b.Errors
		results = make([]resultRef, len(b.Results))
		for i, r := range b.Results {
			results[i] = resultRef{id: string(r.ID), trace: string(r.TraceID), prop: string(r.Properties[m.idProperty])}
		}
	}
	refs := make([]errorRef, len(errs))
	for i, e := range errs {
		refs[i] = errorRef{
			category: string(e.Category),
			message:  string(e.Message),
			ids:      e.Context["ids"],
			traces:   e.Context["objectWriteTraceId"],
		}
	}
	return match(inputs, m, status, results, refs), nil
}
