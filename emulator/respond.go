package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"
)

const (
	headerCorrelation = "X-HubSpot-Correlation-Id"
	contentTypeJSON   = "application/json;charset=utf-8"
)

// call is one request being answered.
type call struct {
	w     http.ResponseWriter
	r     *http.Request
	cid   string // correlation id: header of every response, body of errors
	start time.Time
	batch bool // a batch/update request: its status counts in Stats.ByStatus
}

func newCall(w http.ResponseWriter, r *http.Request, now time.Time) *call {
	c := &call{w: w, r: r, cid: uuid.NewString(), start: now}
	w.Header().Set(headerCorrelation, c.cid) // docs/hubspot-api.md §5: on every response
	return c
}

// apiError is HubSpot's error body (docs/hubspot-api.md §5, §7, §8). Status and
// CorrelationID are filled in by replyError; empty fields are left out, as
// real bodies leave out what does not apply (the 429s have no category).
type apiError struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	ErrorType     string              `json:"errorType,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Errors        []errorDetail       `json:"errors,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
	Category      string              `json:"category,omitempty"`
	PolicyName    string              `json:"policyName,omitempty"`
	GroupName     string              `json:"groupName,omitempty"`
	RequestID     string              `json:"requestId,omitempty"`
}

// errorDetail is an item of an error body's errors[].
type errorDetail struct {
	Message string              `json:"message"`
	Code    string              `json:"code,omitempty"`
	Context map[string][]string `json:"context,omitempty"`
}

// marshalJSON encodes v as HubSpot's Java stack does: no HTML escaping.
func marshalJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("emulator: encode " + err.Error()) // only fixed, encodable types reach here
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
}

// replyError answers with e as the JSON error body.
func (s *Server) replyError(c *call, status int, e apiError) {
	e.Status = "error"
	e.CorrelationID = c.cid
	s.reply(c, status, marshalJSON(e))
}

// reply answers with a JSON body.
func (s *Server) reply(c *call, status int, body []byte) {
	s.write(c, status, contentTypeJSON, body, false)
}

// write sends the answer. With truncate it declares the full Content-Length
// but sends half the body and closes the connection, so the client reads an
// unexpected EOF.
func (s *Server) write(c *call, status int, contentType string, body []byte, truncate bool) {
	s.count(c, status)
	h := c.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(status)
	if !truncate {
		_, _ = c.w.Write(body) // the client went away: nothing to do
		return
	}
	_, _ = c.w.Write(body[:len(body)/2])
	// net/http also closes a connection whose handler wrote less than its
	// Content-Length; hijacking makes the cut explicit and immediate.
	rc := http.NewResponseController(c.w)
	_ = rc.Flush() // Hijack flushes the headers but not buffered body bytes
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
	}
}

// drop closes the connection without an answer. It does not return normally
// when the connection cannot be hijacked (HTTP/2): it aborts the handler.
func (s *Server) drop(c *call) {
	s.count(c, 0)
	if conn, _, err := http.NewResponseController(c.w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// count records the outcome of c in the stats and the debug log.
func (s *Server) count(c *call, status int) {
	if c.batch {
		s.mu.Lock()
		s.stats.ByStatus[status]++
		s.mu.Unlock()
	}
	if ce := s.log.Check(zap.DebugLevel, "request"); ce != nil {
		ce.Write(
			zap.String("method", c.r.Method),
			zap.String("path", c.r.URL.Path),
			zap.Int("status", status),
			zap.Duration("took", s.now().Sub(c.start)),
			zap.String("correlation_id", c.cid),
		)
	}
}

// unknownObjectType is the body observed for an object type HubSpot cannot
// resolve (docs/hubspot-api.md §5): no category. The status is [U]; 400 is what a
// client would treat as permanent, which is the safe reading.
func unknownObjectType(typ string) apiError {
	return apiError{Message: "Unable to infer object type from: " + typ}
}

// validationError is a 400 VALIDATION_ERROR with a message and optional context.
func validationError(msg string, ctx map[string][]string) apiError {
	return apiError{Message: msg, Context: ctx, Category: "VALIDATION_ERROR"}
}
