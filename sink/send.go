package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
)

// maxResponseBody caps how much of a response is read; a 2xx body over the
// cap counts as unreadable.
const maxResponseBody = 32 << 20

// maxErrorBody caps how much of a non-2xx body is read: only a message and a
// few fields are wanted from it.
const maxErrorBody = 1 << 20

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
// failure, an unreadable 2xx body, the end of ctx or an invalid batch (empty
// or more than MaxBatchInputs inputs) it returns a wrapped error. Classify
// tells what to do with any of them.
func (c *Client) UpdateBatch(ctx context.Context, inputs []Input) (*BatchResult, error) {
	if len(inputs) == 0 || len(inputs) > MaxBatchInputs {
		return nil, fmt.Errorf("update batch of %d inputs: %w: want 1 to %d", len(inputs), ErrInvalidBatch, MaxBatchInputs)
	}
	if err := ctx.Err(); err != nil {
		return nil, c.failure(ctx, kindCallerDone, err)
	}
	meta := batchMeta{idProperty: c.idProperty, tracePrefix: c.trace.prefix, traceStart: c.trace.reserve(len(inputs))}

	reqBuf := c.getBuffer()
	reqBuf.b = encodeBatch(reqBuf.b[:0], inputs, meta.idProperty, meta.tracePrefix, meta.traceStart)
	body := &requestBody{c: c, buf: reqBuf}
	body.r.Reset(reqBuf.b)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, body)
	if err != nil {
		body.Close()
		return nil, fmt.Errorf("update batch: %w", err)
	}
	req.ContentLength = int64(len(reqBuf.b))
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.failure(ctx, kindTransport, err)
	}
	defer drainClose(resp.Body)

	ok := resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusMultiStatus
	limit := maxErrorBody
	if ok {
		limit = maxResponseBody
	}
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
			return nil, c.failure(ctx, kindUnreadable, fmt.Errorf("read %d response: %w: %w", resp.StatusCode, ErrUnreadableResponse, readErr))
		}
		items, err := decodeBatch(respBuf.b, inputs, meta)
		if err != nil {
			return nil, c.failure(ctx, kindUnreadable, fmt.Errorf("decode %d response: %w: %w", resp.StatusCode, ErrUnreadableResponse, err))
		}
		return &BatchResult{
			StatusCode:    resp.StatusCode,
			Items:         items,
			CorrelationID: resp.Header.Get(headerCorrelationID),
			RateLimit:     parseRateLimit(resp.Header),
		}, nil
	default:
		// The status alone decides; a body cut short still yields what
		// could be read of it.
		return nil, fmt.Errorf("update batch: %w", parseAPIError(resp.StatusCode, resp.Header, respBuf.b, c.token, c.now()))
	}
}

// failure marks err with kind, or as the caller's stop when ctx has ended:
// a per-request timeout is transient, the caller's cancellation is not.
func (c *Client) failure(ctx context.Context, kind sendKind, err error) error {
	if ctx.Err() != nil {
		kind = kindCallerDone
	}
	return &sendError{kind, fmt.Errorf("update batch: %w", err)}
}

var errBodyTooLarge = errors.New("body larger than limit")

// readLimited appends r to dst, reading at most limit bytes.
func readLimited(dst []byte, r io.Reader, limit int) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, max(512, len(dst)))
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if len(dst) > limit {
			return dst[:limit], errBodyTooLarge
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

// requestBody serves an encoded batch and gives its buffer back to the pool
// when the transport closes it. The transport may close it from another
// goroutine after Do has returned, hence the lock.
type requestBody struct {
	mu  sync.Mutex
	c   *Client
	buf *buffer // nil once closed
	r   bytes.Reader
}

var errBodyClosed = errors.New("read request body after close")

func (b *requestBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		return 0, errBodyClosed
	}
	return b.r.Read(p)
}

func (b *requestBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf != nil {
		b.r.Reset(nil)
		b.c.putBuffer(b.buf)
		b.buf = nil
	}
	return nil
}
