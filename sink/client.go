// Package sink is the HubSpot HTTP client for
// POST /crm/v3/objects/{objectType}/batch/update.
//
// It owns the wire format: it encodes a batch, sends it once, and turns the
// answer into one Outcome per input, matched by objectWriteTraceId or id and
// never by position. It does not retry, pace or log: Classify says what the
// caller should do with an error, and every result and error carries the
// data (status, category, correlation id, Retry-After, rate-limit headers)
// the caller needs to pace, retry and log. Every string it returns that
// came from an answer is free of the token and of terminal control
// characters (see serverText), and no answer is read further than its
// request can need.
package sink

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultBaseURL is the API root used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.hubapi.com"

// MaxBatchInputs is the most inputs HubSpot accepts in one batch request.
// How HubSpot answers a larger batch is [U], so UpdateBatch refuses one.
const MaxBatchInputs = 100

// Config configures a Client. The zero value is not usable: Token and
// ObjectType are required.
type Config struct {
	// BaseURL is the API root; default DefaultBaseURL. It must be https,
	// except that plain http is allowed for loopback hosts (127.0.0.0/8,
	// ::1, localhost), as used by test servers and the emulator. It may carry
	// a path prefix but no credentials, query or fragment.
	BaseURL string
	// Token is the bearer token. It never appears in an error, in Error()
	// or in String() output.
	Token string
	// ObjectType is the object type name or id: "communications", "0-18",
	// "contacts", "2-123". It is path-escaped.
	ObjectType string
	// IDProperty, when set, is sent as every input's idProperty: Input.ID
	// is then a value of that unique property, not a record id.
	IDProperty string
	// HTTPClient sends the requests. nil means a client with dial and TLS
	// timeouts of 10 s, a response-header timeout of 60 s, an overall
	// per-request timeout of 90 s, a keep-alive pool for about 16
	// concurrent requests, and redirects not followed.
	HTTPClient *http.Client
	// UserAgent is sent as User-Agent; default "hubsync".
	UserAgent string
	// Timeout, when positive and HTTPClient is nil, bounds each request
	// (and the wait for response headers) instead of the defaults above.
	Timeout time.Duration
}

// String describes the config with the token redacted.
func (c Config) String() string {
	tok := "<empty>"
	if c.Token != "" {
		tok = "<redacted>"
	}
	return fmt.Sprintf("sink.Config{BaseURL:%q ObjectType:%q IDProperty:%q UserAgent:%q Token:%s}",
		c.BaseURL, c.ObjectType, c.IDProperty, c.UserAgent, tok)
}

// GoString keeps %#v from printing the token.
func (c Config) GoString() string { return c.String() }

// Input is one record to update.
type Input struct {
	ID    string          // record id, or the IDProperty value when Config.IDProperty is set
	Props []PropertyValue // properties to write, sent in this order
}

// PropertyValue is one property value to write.
//
// It names an unnamed struct type, as source.Prop does, so the two are one
// type: a record read passes its properties to the client as they are,
// without a copy and without sink importing source. A field added to one
// must be added to the other, or pipeline stops compiling.
type PropertyValue = struct{ Name, Value string }

// Client sends batch updates to HubSpot. It is safe for concurrent use by
// multiple goroutines; it holds no per-request state besides an atomic
// counter for objectWriteTraceIds.
type Client struct {
	endpoint   string // full batch/update URL
	auth       string // "Bearer <token>"
	token      string // scrubbed from error messages
	idProperty string
	userAgent  string
	http       *http.Client
	trace      *tracer
	now        func() time.Time // for Retry-After dates
	bufs       sync.Pool        // of *buffer, for request and response bodies
}

// New checks cfg and returns a Client. Errors say which setting is wrong and
// why; they never contain the token.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}
	token := strings.TrimSpace(cfg.Token)
	if token == "" {
		return nil, errors.New("new client: token is empty")
	}
	for i := 0; i < len(token); i++ {
		if b := token[i]; b <= ' ' || b >= 0x7f {
			return nil, fmt.Errorf("new client: token has a character not allowed in an HTTP header at byte %d", i)
		}
	}
	objectType := strings.TrimSpace(cfg.ObjectType)
	if objectType == "" {
		return nil, errors.New("new client: object type is empty")
	}
	tr, err := newTracer()
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient(cfg.Timeout)
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "hubsync"
	}
	return &Client{
		endpoint:   base + "/crm/v3/objects/" + url.PathEscape(objectType) + "/batch/update",
		auth:       "Bearer " + token,
		token:      token,
		idProperty: strings.TrimSpace(cfg.IDProperty),
		userAgent:  ua,
		http:       hc,
		trace:      tr,
		now:        time.Now,
	}, nil
}

// String names the endpoint the client writes to; it never shows the token.
func (c *Client) String() string { return "sink.Client{" + c.endpoint + "}" }

// Endpoint returns the batch/update URL the client posts to.
func (c *Client) Endpoint() string { return c.endpoint }

// parseBaseURL validates raw and returns it without a trailing slash.
func parseBaseURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return DefaultBaseURL, nil
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("parse base url: %w", err)
	}
	if u.User != nil {
		return "", errors.New("base url must not contain credentials: pass the token in Token")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("base url %q: plain http would send the token in clear text; it is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost), use https", u.Redacted())
		}
	default:
		return "", fmt.Errorf("base url %q: scheme must be https (or http for a loopback host)", u.Redacted())
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("base url %q has no host", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("base url %q must not have a query or fragment", u.Redacted())
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultHTTPClient returns the client used when Config.HTTPClient is nil;
// timeout > 0 replaces the per-request and response-header timeouts.
func defaultHTTPClient(timeout time.Duration) *http.Client {
	header, overall := 60*time.Second, 90*time.Second
	if timeout > 0 {
		header, overall = timeout, timeout
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: header,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   16,
		// A batch of 100 records is tens of KiB each way: big buffers
		// send it in one write and read the answer in few reads.
		WriteBufferSize: 64 << 10,
		ReadBufferSize:  64 << 10,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   overall,
		// A redirected POST may turn into a GET and the body is not
		// replayable; surface the 3xx as an *APIError instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
