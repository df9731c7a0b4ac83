package emulator

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// Bodies of the authentication failures (docs/hubspot-api.md §5, observed).
const (
	msgNoAuth = "Authentication credentials not found. This API supports both API Key and OAuth 2.0 " +
		"authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
	msgNoScopes = "This app hasn't been granted all required scopes to make this call. " +
		"Read more about required scopes here: https://developers.hubspot.com/scopes."
	scopesLink = "https://developers.hubspot.com/scopes"
	// groupName of the rolling-limit 429: the observed form with a made-up app id.
	rollingGroup = "publicapi:private-app-api-calls-ten-secondly:1234567"
)

// tokenKind is what a request's bearer token turned out to be.
type tokenKind int

const (
	tokenInvalid tokenKind = iota
	tokenFull
	tokenScopeless
)

// authenticate classifies the Authorization header. The scheme is matched
// case-insensitively (RFC 9110); the token exactly.
func (s *Server) authenticate(r *http.Request) tokenKind {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return tokenInvalid
	}
	if subtle.ConstantTimeCompare([]byte(tok), []byte(*s.token.Load())) == 1 {
		return tokenFull
	}
	if st := s.cfg.ScopelessToken; st != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(st)) == 1 {
		return tokenScopeless
	}
	return tokenInvalid
}

// gate runs the checks every API call shares, in HubSpot's order: the token
// (401), then the rolling window, then the daily quota (429). It sets the
// rate-limit headers, answers when the request must stop and returns false.
// An admitted request counts against both limits whatever its outcome.
func (s *Server) gate(c *call) (kind tokenKind, ok bool) {
	kind = s.authenticate(c.r)
	now := s.now()
	s.mu.Lock()
	var v verdict
	if kind == tokenInvalid {
		v = s.lim.peek(now) // HubSpot cannot bill an unknown caller
	} else {
		v = s.lim.admit(now, c.batch)
	}
	s.mu.Unlock()
	h := c.w.Header()
	s.lim.setHeaders(h, v)

	switch {
	case kind == tokenInvalid:
		h.Set("X-HubSpot-Auth-Failure", "401 Unauthorized")
		s.replyError(c, http.StatusUnauthorized, apiError{Message: msgNoAuth, Category: "INVALID_AUTHENTICATION"})
		return kind, false
	case v.policy != "":
		s.tooMany(c, v)
		return kind, false
	}
	return kind, true
}

// tooMany answers 429 (docs/hubspot-api.md §8), with Retry-After only when configured.
func (s *Server) tooMany(c *call, v verdict) {
	e := apiError{ErrorType: "RATE_LIMIT", PolicyName: v.policy}
	if v.policy == policyDaily {
		e.Message = "You have reached your daily limit."
		e.RequestID = uuid.NewString()
	} else {
		e.Message = "You have reached your ten_secondly_rolling limit."
		e.GroupName = rollingGroup
	}
	if s.cfg.RetryAfter {
		c.w.Header().Set("Retry-After", retryAfterSeconds(v.retryAfter))
	}
	s.replyError(c, http.StatusTooManyRequests, e)
}

// missingScopes is the 403 body (docs/hubspot-api.md §5) naming ot's write scopes.
func missingScopes(ot *objType) apiError {
	return apiError{
		Message: msgNoScopes,
		Errors: []errorDetail{{
			Message: "One or more of the following scopes are required.",
			Context: map[string][]string{"requiredScopes": ot.scopes},
		}},
		Links:    map[string]string{"scopes": scopesLink},
		Category: "MISSING_SCOPES",
	}
}
