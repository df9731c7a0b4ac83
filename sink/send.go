package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"slices"
	"sync/atomic"
)

// How much of an answer to a batch is read, 200 and 207 alike, and error
// bodies too: a hostile or broken server must not make a request hold more
// than its batch can need (it once cost 150 MB per request in flight). A
// 200 echoes, per input, the properties written, plus its id, timestamps
// and a few system properties; a 207 adds an error entry per failed input;
// an error body is a few fields and a message that may quote the values
// sent. So the bound follows the request: six bytes per byte sent (the
// most JSON escaping can grow a value: one byte written as \u00XX), 16
// KiB per input for what HubSpot adds around its echo (a few hundred
// bytes in the answers seen), and 1 MiB for the rest (the cap error bodies always had).
// A batch of 100 records of 1 KiB may read 3.2 MiB; a batch of the
// largest records reads in proportion to what the request already holds.
// An answer over the bound is unreadable: the batch is retried, never
// taken as applied.
const (
	bodyLimitBase      = 1 << 20
	bodyLimitPerByte   = 6
	bodyLimitPerResult = 16 << 10
)

// responseLimit is how many bytes of the answer to a request of reqLen
// bytes holding inputs inputs are read.
func responseLimit(reqLen, inputs int) int {
	return bodyLimitBase + bodyLimitPerByte*reqLen + bodyLimitPerResult*inputs
}

// maxDrain is how much of an unread body is discarded so the connection can
// be reused; beyond it the connection is simply closed.
const maxDrain = 256 << 10

// UpdateBatch sends inputs as one batch/update request, once; it does not
// retry. It blocks until the answer is read or ctx ends. Safe for concurrent
// use; the request is idempotent, so re-sending after any error is safe.
//
// On 200/207 it returns a result with one ItemResult per input (Items[i]
// belongs to inputs[i]), matched by objectWriteTraceId or id, never by
// position; an input the response does not account for is Unknown, never
// Applied. On any other status it returns an *APIError. On a transport
// failure, an unreadable 2xx body (not JSON, cut short, or longer than the
// batch can need), the end of ctx or an invalid batch (empty or more than
// MaxBatchInputs inputs) it returns a wrapped error. Classify tells what to
// do with any of them.
func (c *Client) UpdateBatch(ctx context.Context, inputs []Input) (*BatchResult, error) {
	if len(inputs) == 0 || len(inputs) > MaxBatchInputs {
		return nil, fmt.Errorf("update batch of %d inputs: %w: want 1 to %d", len(inputs), ErrInvalidBatch, MaxBatchInputs)
	}
	if err := ctx.Err(); err != nil {
		return nil, c.failure(ctx, kindCallerDone, opUpdate, err)
	}
	meta := batchMeta{idProperty: c.idProperty, tracePrefix: c.trace.prefix, traceStart: c.trace.reserve(len(inputs))}

	reqBuf := c.getBuffer()
	reqBuf.b = encodeBatch(reqBuf.b[:0], inputs, meta.idProperty, meta.tracePrefix, meta.traceStart)
	body := &requestBody{c: c, buf: reqBuf}
	body.r.Reset(reqBuf.b)
	body.trace.WroteRequest = body.wrote
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, &body.trace), http.MethodPost, c.endpoint, io.NopCloser(&body.r))
	if err != nil {
		body.wrote(httptrace.WroteRequestInfo{})
		return nil, fmt.Errorf("update batch: %w", err)
	}
	req.ContentLength = int64(len(reqBuf.b))
	// Taken now: the buffer may go back to the pool before Do returns.
	limit := responseLimit(len(reqBuf.b), len(inputs))
	req.GetBody = nil // never replayed by the transport: see requestBody
	c.setHeaders(req)
	req.Header.Set("Content-Type", "application/json")

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.failure(ctx, kindTransport, opUpdate, err)
	}
	defer drainClose(resp.Body)

	ok := resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusMultiStatus
	respBuf := c.getBuffer()
	defer c.putBuffer(respBuf)
	if n := resp.ContentLength; n > 0 && n < int64(limit) {
		respBuf.b = slices.Grow(respBuf.b[:0], int(n)+1)
	}
	var readErr error
	respBuf.b, readErr = readLimited(respBuf.b[:0], resp.Body, limit)

	switch {
	case ok:
		if readErr != nil {
			return nil, c.failure(ctx, kindUnreadable, opUpdate, fmt.Errorf("read %d response: %w: %w", resp.StatusCode, ErrUnreadableResponse, readErr))
		}
		items, err := decodeBatch(respBuf.b, inputs, meta)
		if err != nil {
			return nil, c.failure(ctx, kindUnreadable, opUpdate, fmt.Errorf("decode %d response: %w: %w", resp.StatusCode, ErrUnreadableResponse, err))
		}
		for i := range items {
			// Codes and messages come from the body (an Unknown's reason
			// may quote its status).
			items[i].Code = c.serverText(items[i].Code)
			items[i].Message = c.serverText(items[i].Message)
		}
		return &BatchResult{
			StatusCode:    resp.StatusCode,
			Items:         items,
			CorrelationID: c.serverText(resp.Header.Get(headerCorrelationID)),
			RateLimit:     parseRateLimit(resp.Header),
		}, nil
	default:
		// The status alone decides; a body cut short still yields what
		// could be read of it.
		return nil, fmt.Errorf("update batch: %w", parseAPIError(resp.StatusCode, resp.Header, respBuf.b, c.token, c.now()))
	}
}

// setHeaders sets the headers every request to HubSpot carries: the
// token, the answer wanted and who asks.
func (c *Client) setHeaders(req *http.Request) {
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
}

// What each call says its errors are about.
const (
	opUpdate     = "update batch"
	opProperties = "get properties"
	opAccount    = "get account details"
)

// failure marks err, of the call op, with kind, or as the caller's stop
// when ctx has ended: a per-request timeout is transient, the caller's
// cancellation is not. Every call's failures are marked alike, so that
// Classify treats them alike.
func (c *Client) failure(ctx context.Context, kind sendKind, op string, err error) error {
	if ctx.Err() != nil {
		kind = kindCallerDone
	}
	return &sendError{kind, c.scrubbed(fmt.Errorf("%s: %w", op, err))}
}

// get makes the GET request of the call op to url, and returns the body of
// a 200 answer, read up to limit bytes; release hands its buffer back. Any
// other status is an *APIError (wrapped); a transport failure, a body cut
// short or the end of ctx is marked by failure.
func (c *Client) get(ctx context.Context, op, url string, limit int) (body []byte, release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, c.failure(ctx, kindCallerDone, op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", op, err)
	}
	c.setHeaders(req)

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, c.failure(ctx, kindTransport, op, err)
	}
	defer drainClose(resp.Body)

	ok := resp.StatusCode == http.StatusOK
	if !ok {
		limit = bodyLimitBase // an error: a few fields and a message
	}
	buf := c.getBuffer()
	var readErr error
	buf.b, readErr = readLimited(buf.b[:0], resp.Body, limit)
	switch {
	case !ok:
		err = fmt.Errorf("%s: %w", op, parseAPIError(resp.StatusCode, resp.Header, buf.b, c.token, c.now()))
	case readErr != nil:
		err = c.failure(ctx, kindUnreadable, op, fmt.Errorf("read 200 response: %w: %w", ErrUnreadableResponse, readErr))
	}
	if err != nil {
		c.putBuffer(buf)
		return nil, nil, err
	}
	return buf.b, func() { c.putBuffer(buf) }, nil
}

// serverText is serverText with the client's token.
func (c *Client) serverText(s string) string { return serverText(s, c.token) }

// scrubbed returns err with its text passed through serverText: Go's HTTP
// client quotes what a server sent in some errors (a malformed status line
// or header), and a hostile server may put the token there. err itself is
// kept for errors.Is and errors.As.
func (c *Client) scrubbed(err error) error {
	return &scrubbedError{msg: c.serverText(err.Error()), err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

var errBodyTooLarge = errors.New("body larger than limit")

// readLimited appends r to dst, reading at most limit bytes of it (and
// one more, to tell a body of exactly limit bytes from a longer one). The
// buffer never grows past limit+1 bytes, however much r holds.
func readLimited(dst []byte, r io.Reader, limit int) ([]byte, error) {
	start := len(dst)
	r = io.LimitReader(r, int64(limit)+1)
	for {
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, min(max(512, len(dst)-start), start+limit+1-len(dst)))
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if len(dst)-start > limit {
			return dst[:start+limit], errBodyTooLarge
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	_ = body.Close()
}

// requestBody is an encoded batch on its way out. The transport reads it
// as an in-memory body (an io.NopCloser around a bytes.Reader), so that it
// writes the headers and the body to the connection in one write, through
// its own buffer, rather than in three. The buffer goes back to the pool
// when the transport reports the request written (httptrace's
// WroteRequest, which both HTTP/1.1 and HTTP/2 call once the body is no
// longer read); a request never written simply leaves its buffer to the
// garbage collector. The transport cannot read the body a second time:
// GetBody is nil, so it never replays a request on its own (the pipeline's
// retries send a new one).
type requestBody struct {
	c     *Client
	buf   *buffer
	r     bytes.Reader
	trace httptrace.ClientTrace
	done  atomic.Bool
}

func (b *requestBody) wrote(httptrace.WroteRequestInfo) {
	if b.done.CompareAndSwap(false, true) {
		b.c.putBuffer(b.buf)
	}
}
