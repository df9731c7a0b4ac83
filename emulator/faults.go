package emulator

import (
	"fmt"
	"net/http"
	"time"
)

// fault is the misbehaviour drawn for one batch request.
type fault int

const (
	faultNone fault = iota
	fault500
	fault502
	fault503
	fault504
	fault423
	faultDropBefore // close the connection, batch not applied
	faultDropAfter  // apply, then close the connection
	faultSlow
	faultTruncate
)

// drawFault picks at most one fault with one seeded draw.
func (s *Server) drawFault() fault {
	f := s.cfg.Faults
	if f == (Faults{SlowDelay: f.SlowDelay}) {
		return faultNone // no faults configured: skip the lock
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.rng.Float64()
	for _, c := range []struct {
		p float64
		f fault
	}{
		{f.P500, fault500}, {f.P502, fault502}, {f.P503, fault503}, {f.P504, fault504},
		{f.P423, fault423}, {f.PDrop, faultDropBefore}, {f.PSlow, faultSlow}, {f.PTruncate, faultTruncate},
	} {
		if x < c.p {
			if c.f == faultDropBefore && s.rng.IntN(2) == 1 {
				return faultDropAfter
			}
			return c.f
		}
		x -= c.p
	}
	return faultNone
}

// replyFault answers a status fault without applying anything. 500 and 423
// carry a JSON error body; 502, 503 and 504 an HTML page, as the proxy in
// front of HubSpot would produce ([U]): a client must not assume JSON.
func (s *Server) replyFault(c *call, f fault) {
	switch f {
	case fault500:
		s.replyError(c, http.StatusInternalServerError, apiError{Message: "internal error", Category: "INTERNAL_ERROR"})
	case fault423:
		// docs/hubspot-api.md §6: locked during heavy sync, lock lasts 2 s. Body [U].
		s.replyError(c, http.StatusLocked, apiError{
			Message:  "The record is locked by another operation. Wait at least 2 seconds and try again.",
			Category: "LOCKED",
		})
	default:
		status := map[fault]int{fault502: http.StatusBadGateway, fault503: http.StatusServiceUnavailable, fault504: http.StatusGatewayTimeout}[f]
		text := fmt.Sprintf("%d %s", status, http.StatusText(status))
		page := "<html>\n<head><title>" + text + "</title></head>\n<body>\n<center><h1>" + text + "</h1></center>\n</body>\n</html>\n"
		s.write(c, status, "text/html", []byte(page), false)
	}
}

// wait holds a slow answer for SlowDelay, or until the client gives up or
// the server closes.
func (s *Server) wait(c *call) {
	t := time.NewTimer(s.cfg.Faults.SlowDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.r.Context().Done():
	case <-s.closing:
	}
}
