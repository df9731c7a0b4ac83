package sink

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// APIError is a non-2xx answer from HubSpot (or from a proxy in front of
// it). Every field may be empty: HubSpot documents that any part of an error
// body can be missing, and a proxy may answer with HTML.
type APIError struct {
	StatusCode    int
	Category      string // e.g. VALIDATION_ERROR, INVALID_AUTHENTICATION, MISSING_SCOPES
	SubCategory   string
	Message       string // HubSpot's message, or a short snippet of a non-JSON body
	CorrelationID string // from the body, else from X-HubSpot-Correlation-Id
	PolicyName    string // 429 only: DAILY, TEN_SECONDLY_ROLLING, SECONDLY, …
	ErrorType     string // 429 only: RATE_LIMIT
	Errors        []ErrorDetail
	Context       map[string][]string // e.g. "ids" of a duplicate-ids rejection
	RetryAfter    time.Duration       // from Retry-After (seconds or HTTP date); 0 if absent — [U] on 429, documented for 477
	RateLimit     RateLimit
}

// ErrorDetail is one entry of an error body's errors[].
type ErrorDetail struct {
	Message     string
	Code        string // e.g. PROPERTY_DOESNT_EXIST, INVALID_INTEGER
	In          string
	SubCategory string
	Context     map[string][]string // e.g. "propertyName": ["x"]
}

// Bounds on error text: the message kept from a body, the part Error()
// shows, and the snippet kept of a non-JSON body.
const (
	maxErrorMessage = 64 << 10
	maxShownMessage = 300
	maxBodySnippet  = 200
)

// Error renders "hubspot: 400 VALIDATION_ERROR: <message> (correlation id …)".
// The message is cut to a few hundred bytes and put on one line.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("hubspot: ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	label := e.Category
	if label == "" {
		label = strings.TrimSpace(e.ErrorType + " " + e.PolicyName)
	}
	if label == "" {
		label = http.StatusText(e.StatusCode)
	}
	if label != "" {
		b.WriteByte(' ')
		b.WriteString(label)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(oneLine(e.Message, maxShownMessage))
	}
	if e.CorrelationID != "" {
		b.WriteString(" (correlation id ")
		b.WriteString(e.CorrelationID)
		b.WriteByte(')')
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (retry after ")
		b.WriteString(e.RetryAfter.String())
		b.WriteByte(')')
	}
	return b.String()
}

// errorBody is the lenient shape of a non-2xx JSON body (docs/hubspot-api.md §5, §8).
type errorBody struct {
	Message       flexString             `json:"message"`
	CorrelationID flexString             `json:"correlationId"`
	Category      flexString             `json:"category"`
	SubCategory   flexString             `json:"subCategory"`
	PolicyName    flexString             `json:"policyName"`
	ErrorType     flexString             `json:"errorType"`
	Context       map[string]flexStrings `json:"context"`
	Errors        []struct {
		Message     flexString             `json:"message"`
		Code        flexString             `json:"code"`
		In          flexString             `json:"in"`
		SubCategory flexString             `json:"subCategory"`
		Context     map[string]flexStrings `json:"context"`
	} `json:"errors"`
}

// parseAPIError builds the error for a non-2xx response. body may be empty,
// cut short, or not JSON at all. Every string taken from the answer passes
// through serverText, with secret as the token, before it is clipped or
// kept.
func parseAPIError(status int, h http.Header, body []byte, secret string, now time.Time) *APIError {
	text := func(s flexString) string { return serverText(string(s), secret) }
	e := &APIError{
		StatusCode: status,
		RetryAfter: parseRetryAfter(h.Get("Retry-After"), now),
		RateLimit:  parseRateLimit(h),
	}
	var eb errorBody
	if isJSONObject(body) && unmarshalLenient(body, &eb) == nil {
		e.Message = clip(text(eb.Message), maxErrorMessage)
		e.CorrelationID = text(eb.CorrelationID)
		e.Category = text(eb.Category)
		e.SubCategory = text(eb.SubCategory)
		e.PolicyName = text(eb.PolicyName)
		e.ErrorType = text(eb.ErrorType)
		e.Context = plainContext(eb.Context, secret)
		for _, d := range eb.Errors {
			e.Errors = append(e.Errors, ErrorDetail{
				Message:     clip(text(d.Message), maxErrorMessage),
				Code:        text(d.Code),
				In:          text(d.In),
				SubCategory: text(d.SubCategory),
				Context:     plainContext(d.Context, secret),
			})
		}
	} else if len(body) > 0 {
		// Only the start is shown: scrub a generous part of it, not all of
		// a body that may be megabytes long. A token cut at that end is
		// still caught as a start of the token.
		e.Message = "non-JSON body: " + oneLine(serverText(clip(string(body), maxErrorMessage), secret), maxBodySnippet)
	}
	if e.CorrelationID == "" {
		e.CorrelationID = serverText(h.Get(headerCorrelationID), secret)
	}
	return e
}

func isJSONObject(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
	return false
}

func plainContext(m map[string]flexStrings, secret string) map[string][]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		vals := []string(v)
		if len(v) > 0 {
			vals = make([]string, len(v))
			for i, s := range v {
				vals[i] = serverText(s, secret)
			}
		}
		// Keys that scrub to the same text merge.
		k = serverText(k, secret)
		if prev, ok := out[k]; ok {
			vals = append(prev, vals...)
		}
		out[k] = vals
	}
	return out
}

// clip cuts s to at most n bytes on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// oneLine collapses runs of white space and control characters to one space
// and clips the result to n bytes.
func oneLine(s string, n int) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		if r < 0x20 || r == 0x7f || r == ' ' || r == '\u2028' || r == '\u2029' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		if b.Len() > n {
			break
		}
	}
	return clip(b.String(), n)
}
