package sink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"
)

// Class is what the caller should do with an error from UpdateBatch.
type Class int

const (
	// ClassNone is the class of a nil error.
	ClassNone Class = iota
	// ClassRetry: transient. Re-send the same batch after a backoff of at
	// least MinWait(err). Batch update is idempotent, so re-sending a batch
	// that may have been applied is safe.
	ClassRetry
	// ClassRateLimit: 429 for the burst window (TEN_SECONDLY_ROLLING,
	// SECONDLY, or an unknown or absent policy). Slow down and re-send.
	ClassRateLimit
	// ClassDailyLimit: 429 DAILY. Stop until the account's midnight.
	ClassDailyLimit
	// ClassRejected: HubSpot rejected the whole batch because of its
	// content (400 VALIDATION_ERROR, 409 CONFLICT, 413). Nothing was
	// applied. Bisect; a rejected single-input batch is that record's
	// failure (see APIError.Reason).
	ClassRejected
	// ClassFatal: retrying cannot help — bad credentials or scopes, bad
	// configuration, a malformed request (our bug), an unexpected status, or
	// the caller's own context ended. Stop.
	ClassFatal
)

var classNames = [...]string{
	ClassNone: "none", ClassRetry: "retry", ClassRateLimit: "rate-limit",
	ClassDailyLimit: "daily-limit", ClassRejected: "rejected", ClassFatal: "fatal",
}

func (c Class) String() string {
	if c >= 0 && int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Classify decides, in this one place, what to do with an error returned by
// UpdateBatch. Errors it does not recognise are ClassFatal, except plain
// network failures (timeouts, resets, refused connections, unexpected EOF),
// which are ClassRetry.
func Classify(err error) Class {
	if err == nil {
		return ClassNone
	}
	if ae, ok := errors.AsType[*APIError](err); ok {
		return classifyStatus(ae)
	}
	if se, ok := errors.AsType[*sendError](err); ok {
		switch se.kind {
		case kindCallerDone:
			return ClassFatal
		case kindUnreadable:
			return ClassRetry
		case kindTransport:
			if isCertificateError(err) {
				return ClassFatal
			}
			return ClassRetry
		}
	}
	switch {
	case errors.Is(err, ErrInvalidBatch),
		errors.Is(err, context.Canceled),
		errors.Is(err, context.DeadlineExceeded):
		// A context error that did not come through UpdateBatch's check of
		// the caller's context cannot be told apart from a caller stop.
		return ClassFatal
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return ClassRetry
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return ClassRetry
	}
	return ClassFatal
}

func classifyStatus(e *APIError) Class {
	code := e.StatusCode
	switch {
	case code == 400:
		if e.Category != "VALIDATION_ERROR" {
			// No category: malformed JSON or unknown object type (docs/hubspot-api.md §5).
			return ClassFatal
		}
		if strings.Contains(e.Message, "non-unique") {
			// "Unable to perform update/upsert by non-unique … property"
			// (docs/hubspot-api.md §7): IDProperty is misconfigured, every batch would fail.
			return ClassFatal
		}
		return ClassRejected
	case code == 409, code == 413:
		// 409 CONFLICT on update is [U] (seen on create): a unique value
		// already in use is the record's problem, so bisect down to it.
		return ClassRejected
	case code == 408, code == 423, code == 477:
		// 408 is not listed by HubSpot but means the request never got
		// through; 423 is a 2 s record lock; 477 a data migration.
		return ClassRetry
	case code == 429:
		if strings.EqualFold(e.PolicyName, "DAILY") {
			return ClassDailyLimit
		}
		return ClassRateLimit
	case code >= 500 && code <= 599:
		return ClassRetry
	}
	// 401, 403, 404 (undocumented here, [U]), other 4xx, and statuses
	// that should never reach us: 3xx, and 2xx other than 200/207 (204 is
	// no longer used, docs/hubspot-api.md §4). Nothing proves such a batch applied, and
	// retrying would not change the answer: stop and let a human look.
	return ClassFatal
}

// lockWait is how long HubSpot documents a 423 record lock to last.
const lockWait = 2 * time.Second

// MinWait is the shortest wait HubSpot asks for before err's batch is
// re-sent: Retry-After when given, and at least 2 s for 423 Locked. It is 0
// when the server asked for nothing; the caller adds its own backoff.
func MinWait(err error) time.Duration {
	ae, ok := errors.AsType[*APIError](err)
	if !ok {
		return 0
	}
	return ae.MinWait()
}

// MinWait is the shortest wait before re-sending; see the function MinWait.
func (e *APIError) MinWait() time.Duration {
	if e.StatusCode == 423 {
		return max(e.RetryAfter, lockWait)
	}
	return e.RetryAfter
}

func isCertificateError(err error) bool {
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return true // plain http spoken on an https port
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return true
	}
	_, ok := errors.AsType[x509.CertificateInvalidError](err)
	return ok
}

// ErrInvalidBatch is returned, wrapped, for a batch UpdateBatch refuses to
// send: no inputs or more than MaxBatchInputs. Classify: ClassFatal.
var ErrInvalidBatch = errors.New("invalid batch")

// ErrUnreadableResponse is wrapped into the error for a 200/207 answer whose
// body could not be read in full or parsed: the batch may or may not have
// been applied. Classify: ClassRetry.
var ErrUnreadableResponse = errors.New("unreadable response body")

type sendKind int

const (
	kindTransport  sendKind = iota + 1 // request failed in flight, caller's ctx live
	kindCallerDone                     // the caller's ctx ended
	kindUnreadable                     // 2xx whose body could not be read or parsed
)

// sendError marks how an UpdateBatch call failed; its text is the wrapped
// error's.
type sendError struct {
	kind sendKind
	err  error
}

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// BadEndpoint reports whether err, from the first request to HubSpot,
// says the base URL itself is wrong rather than that HubSpot is down: the
// host name does not resolve, nothing listens on the port, TLS cannot be
// spoken with the server (or its certificate is not valid for it), or the
// server answered 404, which HubSpot never does for either endpoint a
// sync uses when the URL is right. Retrying cannot fix any of them. Only
// the first request may be judged so: later in a run the same failures
// are a network blip or an outage, and Classify's answer holds.
func BadEndpoint(err error) bool {
	if err == nil {
		return false
	}
	if ae, ok := errors.AsType[*APIError](err); ok {
		return ae.StatusCode == 404 && !UnknownObjectType(err)
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || isCertificateError(err) {
		return true
	}
	if _, ok := errors.AsType[tls.AlertError](err); ok {
		return true
	}
	// net/http turns the tls.RecordHeaderError of https spoken to a plain
	// http port into an error of no type of its own.
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// UnknownObjectType reports whether err is HubSpot's answer for an object
// type it does not know ("Unable to infer object type from: …"), which
// comes without a category.
func UnknownObjectType(err error) bool {
	ae, ok := errors.AsType[*APIError](err)
	return ok && (ae.StatusCode == 400 || ae.StatusCode == 404) && strings.HasPrefix(ae.Message, "Unable to infer object type")
}
