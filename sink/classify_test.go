package sink

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
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
