package sink

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	api := func(status int, category, policy, message string) error {
		return fmt.Errorf("update batch: %w", &APIError{StatusCode: status, Category: category, PolicyName: policy, Message: message})
	}
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{"nil", nil, ClassNone},
		{"400 VALIDATION_ERROR", api(400, "VALIDATION_ERROR", "", "Property values were not valid: []"), ClassRejected},
		{"400 without category", api(400, "", "", "Invalid input JSON on line 3"), ClassFatal},
		{"400 other category", api(400, "INVALID_PARAMS", "", ""), ClassFatal},
		{"400 non-unique idProperty", api(400, "VALIDATION_ERROR", "", "Unable to perform update/upsert by non-unique 0-1 property"), ClassFatal},
		{"401", api(401, "INVALID_AUTHENTICATION", "", ""), ClassFatal},
		{"403", api(403, "MISSING_SCOPES", "", ""), ClassFatal},
		{"404", api(404, "", "", ""), ClassFatal},
		{"405", api(405, "", "", ""), ClassFatal},
		{"408", api(408, "", "", ""), ClassRetry},
		{"409", api(409, "CONFLICT", "", ""), ClassRejected},
		{"413", api(413, "", "", ""), ClassRejected},
		{"414", api(414, "", "", ""), ClassFatal},
		{"423", api(423, "", "", ""), ClassRetry},
		{"429 TEN_SECONDLY_ROLLING", api(429, "", "TEN_SECONDLY_ROLLING", ""), ClassRateLimit},
		{"429 SECONDLY", api(429, "", "SECONDLY", ""), ClassRateLimit},
		{"429 unknown policy", api(429, "", "HOURLY", ""), ClassRateLimit},
		{"429 no policy", api(429, "", "", ""), ClassRateLimit},
		{"429 DAILY", api(429, "", "DAILY", ""), ClassDailyLimit},
		{"477", api(477, "", "", ""), ClassRetry},
		{"500", api(500, "", "", ""), ClassRetry},
		{"501", api(501, "", "", ""), ClassRetry},
		{"502", api(502, "", "", ""), ClassRetry},
		{"503", api(503, "", "", ""), ClassRetry},
		{"504", api(504, "", "", ""), ClassRetry},
		{"521", api(521, "", "", ""), ClassRetry},
		{"522", api(522, "", "", ""), ClassRetry},
		{"523", api(523, "", "", ""), ClassRetry},
		{"524", api(524, "", "", ""), ClassRetry},
		{"525", api(525, "", "", ""), ClassRetry},
		{"526", api(526, "", "", ""), ClassRetry},
		{"302", api(302, "", "", ""), ClassFatal},
		{"204", api(204, "", "", ""), ClassFatal},
		{"transport failure", &sendError{kindTransport, io.ErrUnexpectedEOF}, ClassRetry},
		{"transport timeout wrapping DeadlineExceeded", &sendError{kindTransport, fmt.Errorf("timeout: %w", context.DeadlineExceeded)}, ClassRetry},
		{"transport certificate error", &sendError{kindTransport, x509.UnknownAuthorityError{}}, ClassFatal},
		{"caller stopped", &sendError{kindCallerDone, context.Canceled}, ClassFatal},
		{"unreadable 2xx", &sendError{kindUnreadable, ErrUnreadableResponse}, ClassRetry},
		{"invalid batch", fmt.Errorf("x: %w", ErrInvalidBatch), ClassFatal},
		{"bare context.Canceled", context.Canceled, ClassFatal},
		{"bare DeadlineExceeded", context.DeadlineExceeded, ClassFatal},
		{"bare unexpected EOF", io.ErrUnexpectedEOF, ClassRetry},
		{"bare connection reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, ClassRetry},
		{"bare connection refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, ClassRetry},
		{"unknown error", errors.New("boom"), ClassFatal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestMinWait(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{"423 without Retry-After", &APIError{StatusCode: 423}, 2 * time.Second},
		{"423 with longer Retry-After", &APIError{StatusCode: 423, RetryAfter: 5 * time.Second}, 5 * time.Second},
		{"429 with Retry-After", fmt.Errorf("x: %w", &APIError{StatusCode: 429, RetryAfter: time.Second}), time.Second},
		{"503 without Retry-After", &APIError{StatusCode: 503}, 0},
		{"not an APIError", io.EOF, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MinWait(tt.err); got != tt.want {
				t.Errorf("MinWait = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestBadEndpoint makes real first requests to endpoints that cannot be
// HubSpot's, and checks a few errors that must not be taken for a wrong
// URL.
func TestBadEndpoint(t *testing.T) {
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	tlsServer := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsServer.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes fail on purpose
	tlsServer.StartTLS()
	defer tlsServer.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	requests := []struct {
		name, base string
	}{
		{"connection refused", closed()},
		{"404 on the endpoint", notFound.URL},
		{"certificate not trusted", tlsServer.URL},
		{"https to a plain http port", "https://" + strings.TrimPrefix(plain.URL, "http://")},
		{"unresolvable host", "https://hubsync-test.invalid"},
	}
	for _, tc := range requests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Config{BaseURL: tc.base, Token: "pat-test-token", ObjectType: "contacts", Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Properties(context.Background())
			if !BadEndpoint(err) {
				t.Errorf("BadEndpoint(%v) = false, want true", err)
			}
			_, err = c.UpdateBatch(context.Background(), []Input{{ID: "1", Props: []PropertyValue{{Name: "a", Value: "b"}}}})
			if !BadEndpoint(err) {
				t.Errorf("batch: BadEndpoint(%v) = false, want true", err)
			}
		})
	}
	others := []struct {
		name string
		err  error
	}{
		{"nil", nil},
		{"503", &APIError{StatusCode: 503}},
		{"401", &APIError{StatusCode: 401, Category: "INVALID_AUTHENTICATION"}},
		{"unknown object type", &APIError{StatusCode: 400, Message: "Unable to infer object type from: butterflies"}},
		{"connection reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}},
		{"timeout", &sendError{kindTransport, fmt.Errorf("timeout: %w", context.DeadlineExceeded)}},
	}
	for _, tc := range others {
		t.Run(tc.name, func(t *testing.T) {
			if BadEndpoint(tc.err) {
				t.Errorf("BadEndpoint(%v) = true, want false", tc.err)
			}
		})
	}
}

func TestUnknownObjectType(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("get properties: %w", &APIError{StatusCode: 400, Message: "Unable to infer object type from: butterflies"}), true},
		{&APIError{StatusCode: 404, Message: "Unable to infer object type from: 2-999"}, true},
		{&APIError{StatusCode: 400, Category: "VALIDATION_ERROR", Message: "Property values were not valid"}, false},
		{errors.New("Unable to infer object type from: x"), false},
	}
	for _, tc := range tests {
		if got := UnknownObjectType(tc.err); got != tc.want {
			t.Errorf("UnknownObjectType(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
