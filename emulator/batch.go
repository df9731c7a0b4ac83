package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
)

const (
	maxInputs    = 100      // docs/hubspot-api.md §3: documented batch cap
	maxBodyBytes = 32 << 20 // far above any valid 100-input batch
)

// serveBatch answers POST /crm/v3/objects/{objectType}/batch/update
// (docs/hubspot-api.md §3). Order: authentication and limits (gate), object type,
// scope, fault injection, then the body: decode, validate, apply.
func (s *Server) serveBatch(c *call, typ string) {
	kind, ok := s.gate(c)
	if !ok {
		return
	}
	ot, ok := s.cat.lookup(typ)
	if !ok {
		s.replyError(c, http.StatusBadRequest, unknownObjectType(typ))
		return
	}
	if kind == tokenScopeless {
		s.replyError(c, http.StatusForbidden, missingScopes(ot))
		return
	}
	f := s.drawFault()
	switch f {
	case fault500, fault502, fault503, fault504, fault423:
		s.replyFault(c, f)
		return
	case faultDropBefore:
		s.drop(c)
		return
	}
	bufs := s.getBuffers()
	defer s.putBuffers(bufs)
	status, body := s.batchUpdate(c, ot, bufs)
	switch f {
	case faultDropAfter:
		s.drop(c)
		return
	case faultSlow:
		s.wait(c)
	}
	s.write(c, status, contentTypeJSON, body, f == faultTruncate)
}

// buffers are the request and response bytes of one batch, pooled: at
// thousands of 100-input batches a second, allocating them is most of the
// garbage. Nothing refers to either once the answer is written.
type buffers struct {
	in  bytes.Buffer
	out []byte
}

const maxPooledBuffer = 1 << 20

func (s *Server) getBuffers() *buffers {
	if b, ok := s.bufPool.Get().(*buffers); ok {
		return b
	}
	return new(buffers)
}

func (s *Server) putBuffers(b *buffers) {
	if b.in.Cap() > maxPooledBuffer || cap(b.out) > maxPooledBuffer {
		return
	}
	b.in.Reset()
	b.out = b.out[:0]
	s.bufPool.Put(b)
}

// errorBody renders e as c's error body.
func (c *call) errorBody(e apiError) []byte {
	e.Status = "error"
	e.CorrelationID = c.cid
	return marshalJSON(e)
}

// batchUpdate reads, checks and applies one batch and returns the answer.
// The whole batch is refused (4xx, nothing applied) unless every input is
// well-formed and valid; inputs whose record does not exist are reported in
// a 207 while the others are applied (docs/hubspot-api.md §4, §7).
func (s *Server) batchUpdate(c *call, ot *objType, bufs *buffers) (int, []byte) {
	// HubSpot documents Content-Type: application/json (docs/hubspot-api.md §2); what it
	// does without one is [U], refusing is the strict choice.
	if mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return http.StatusUnsupportedMediaType, c.errorBody(apiError{
			Message: fmt.Sprintf("Content type '%s' not supported", c.r.Header.Get("Content-Type")),
		})
	}
	if _, err := bufs.in.ReadFrom(http.MaxBytesReader(c.w, c.r.Body, maxBodyBytes)); err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return http.StatusRequestEntityTooLarge, c.errorBody(apiError{Message: "Request body too large"})
		}
		return http.StatusBadRequest, c.errorBody(apiError{Message: "Could not read the request body"})
	}
	inputs, derr := decodeBatch(bufs.in.Bytes(), ot.props)
	if derr != nil {
		return http.StatusBadRequest, c.errorBody(apiError{Message: derr.Error()})
	}
	// The 100 cap is documented; the message and status are [U]
	// (docs/hubspot-api.md §7), modelled on the observed batch-read cap.
	if len(inputs) > maxInputs {
		return http.StatusBadRequest, c.errorBody(validationError(fmt.Sprintf(
			"The maximum number of inputs supported in a batch is %d. Please reduce the number of items and try again", maxInputs), nil))
	}
	if len(inputs) == 0 {
		return http.StatusBadRequest, c.errorBody(validationError(
			"The minimum number of inputs supported in a batch is 1. Please add items and try again", nil))
	}
	if s.cfg.AcceptAll {
		return http.StatusOK, s.acceptAll(ot, inputs, bufs, c)
	}
	for _, in := range inputs {
		if !in.hasIDProp {
			continue
		}
		if p, ok := ot.props[in.idProperty]; !ok || !p.unique {
			return http.StatusBadRequest, c.errorBody(validationError(fmt.Sprintf(
				"Unable to perform update/upsert by non-unique %s property %s", ot.id, in.idProperty), nil))
		}
	}
	if issues := checkInputs(ot, inputs); len(issues) > 0 {
		return http.StatusBadRequest, c.errorBody(invalidProperties(issues))
	}

	now := s.now()
	s.mu.Lock()
	out, status, e := s.apply(ot, inputs, now)
	s.mu.Unlock()
	if e != nil {
		return status, c.errorBody(*e)
	}
	bufs.out = appendBatchBody(bufs.out[:0], ot, out, s.created, c.start, s.now(), !s.cfg.NoTraceEcho)
	return status, bufs.out
}

// checkInputs validates every property value of every input. It leaves each
// input's props with one value per name (a repeated name: the last wins, as
// in a JSON map) and returns all refusals, in input order and, within an
// input, in body order.
func checkInputs(ot *objType, inputs []batchInput) []propIssue {
	var issues []propIssue
	for i := range inputs {
		in := &inputs[i]
		in.props = lastWins(in.props)
		for _, pv := range in.props {
			if is, ok := checkProperty(ot, pv.name, pv.value); !ok {
				issues = append(issues, is)
			}
		}
	}
	return issues
}

// lastWins drops every value whose name appears again later, keeping order.
// Small inputs, the usual case, are scanned without a map.
func lastWins(props []propValue) []propValue {
	later := func(j int) bool {
		for _, q := range props[j+1:] {
			if q.name == props[j].name {
				return true
			}
		}
		return false
	}
	if len(props) > 16 {
		last := make(map[string]int, len(props))
		for j, pv := range props {
			last[pv.name] = j
		}
		if len(last) == len(props) {
			return props
		}
		later = func(j int) bool { return last[props[j].name] != j }
	}
	out := props[:0]
	for j := range props {
		if !later(j) {
			out = append(out, props[j])
		}
	}
	return out
}

// invalidProperties is the whole-batch 400 of docs/hubspot-api.md §7 (observed for
// PROPERTY_DOESNT_EXIST): a message embedding a JSON array of the refusals,
// plus one errors[] item per refusal.
func invalidProperties(issues []propIssue) apiError {
	type item struct {
		IsValid bool   `json:"isValid"`
		Message string `json:"message"`
		Error   string `json:"error"`
		Name    string `json:"name"`
	}
	items := make([]item, len(issues))
	details := make([]errorDetail, len(issues))
	for i, is := range issues {
		items[i] = item{IsValid: false, Message: is.message, Error: is.code, Name: is.name}
		details[i] = errorDetail{Message: is.message, Code: is.code, Context: map[string][]string{"propertyName": {is.name}}}
	}
	return apiError{
		Message:  "Property values were not valid: " + string(marshalJSON(items)),
		Errors:   details,
		Category: "VALIDATION_ERROR",
	}
}

// acceptAll answers a batch in AcceptAll mode: every input applied, its id
// and properties echoed, nothing checked or stored.
func (s *Server) acceptAll(ot *objType, inputs []batchInput, bufs *buffers, c *call) []byte {
	now := s.now()
	out := outcome{results: make([]result, len(inputs)), stamp: formatTime(now)}
	for i, in := range inputs {
		out.results[i] = result{id: in.id, props: in.props, trace: in.traceID, hasTrace: in.hasTrace}
	}
	s.mu.Lock()
	s.stats.RecordsApplied += len(inputs)
	s.mu.Unlock()
	bufs.out = appendBatchBody(bufs.out[:0], ot, out, s.created, c.start, now, !s.cfg.NoTraceEcho)
	return bufs.out
}
