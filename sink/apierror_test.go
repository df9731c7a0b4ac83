package sink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestUpdateBatchAPIErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		file   string
		header map[string]string
		want   Class
		check  func(t *testing.T, e *APIError)
	}{
		{name: "400 PROPERTY_DOESNT_EXIST", status: 400, file: "400_property_doesnt_exist.json", want: ClassRejected,
			check: func(t *testing.T, e *APIError) {
				want := []PropertyError{
					{Name: "x", Code: "PROPERTY_DOESNT_EXIST", Message: `Property "x" does not exist`},
					{Name: "y", Code: "PROPERTY_DOESNT_EXIST", Message: `Property "y" does not exist`},
				}
				if diff := cmp.Diff(want, e.PropertyErrors()); diff != "" {
					t.Errorf("PropertyErrors (-want +got):\n%s", diff)
				}
				if e.Category != "VALIDATION_ERROR" || e.CorrelationID != "5a7ea9d1-6f0c-4bd5-8a1b-2f3c4d5e6f70" || len(e.Errors) != 2 {
					t.Errorf("parsed %+v", e)
				}
			}},
		{name: "400 duplicate ids", status: 400, file: "400_duplicate_ids.json", want: ClassRejected,
			check: func(t *testing.T, e *APIError) {
				if diff := cmp.Diff(map[string][]string{"ids": {"123456"}}, e.Context); diff != "" {
					t.Errorf("Context (-want +got):\n%s", diff)
				}
				if len(e.PropertyErrors()) != 0 {
					t.Errorf("PropertyErrors = %+v, want none", e.PropertyErrors())
				}
			}},
		{name: "400 malformed request without category", status: 400, file: "400_invalid_input_json.json", want: ClassFatal},
		{name: "400 non-unique idProperty", status: 400, file: "400_non_unique_idproperty.json", want: ClassFatal},
		{name: "401 INVALID_AUTHENTICATION", status: 401, file: "401_invalid_authentication.json", want: ClassFatal,
			header: map[string]string{"X-HubSpot-Auth-Failure": "401 Unauthorized"},
			check: func(t *testing.T, e *APIError) {
				if e.Category != "INVALID_AUTHENTICATION" || e.CorrelationID != "4a6b9c1d-1f2e-4d3c-8b7a-6e5f4d3c2b1a" {
					t.Errorf("parsed %+v", e)
				}
			}},
		{name: "403 MISSING_SCOPES", status: 403, file: "403_missing_scopes.json", want: ClassFatal,
			check: func(t *testing.T, e *APIError) {
				if len(e.Errors) != 1 || cmp.Diff([]string{"contacts"}, e.Errors[0].Context["requiredScopes"]) != "" {
					t.Errorf("Errors = %+v", e.Errors)
				}
			}},
		{name: "404 unknown object type", status: 404, file: "404_unknown_object_type.json", want: ClassFatal},
		{name: "409 CONFLICT", status: 409, file: "409_conflict.json", want: ClassRejected},
		{name: "413 empty body", status: 413, want: ClassRejected},
		{name: "429 TEN_SECONDLY_ROLLING with Retry-After seconds", status: 429, file: "429_ten_secondly_rolling.json",
			header: map[string]string{"Retry-After": "3"}, want: ClassRateLimit,
			check: func(t *testing.T, e *APIError) {
				if e.PolicyName != "TEN_SECONDLY_ROLLING" || e.ErrorType != "RATE_LIMIT" || e.RetryAfter != 3*time.Second {
					t.Errorf("parsed %+v", e)
				}
			}},
		{name: "429 DAILY with Retry-After date", status: 429, file: "429_daily.json",
			header: map[string]string{"Retry-After": testNow.Add(90 * time.Second).Format(http.TimeFormat)}, want: ClassDailyLimit,
			check: func(t *testing.T, e *APIError) {
				if e.PolicyName != "DAILY" || e.RetryAfter != 90*time.Second || e.CorrelationID != "c033cdaa-2c40-4a64-ae48-b4cec88dad24" {
					t.Errorf("parsed %+v", e)
				}
			}},
		{name: "429 SECONDLY", status: 429, file: "429_secondly.json", want: ClassRateLimit},
		{name: "429 without body", status: 429, want: ClassRateLimit},
		{name: "500 empty body", status: 500, want: ClassRetry},
		{name: "502 proxy HTML", status: 502, file: "502_proxy.html", want: ClassRetry,
			check: func(t *testing.T, e *APIError) {
				if !strings.Contains(e.Message, "502 Bad Gateway") || len(e.Message) > 250 {
					t.Errorf("Message = %q", e.Message)
				}
			}},
		{name: "503", status: 503, want: ClassRetry},
		{name: "504", status: 504, want: ClassRetry},
		{name: "524", status: 524, want: ClassRetry},
		{name: "423 locked", status: 423, want: ClassRetry,
			check: func(t *testing.T, e *APIError) {
				if e.MinWait() != 2*time.Second {
					t.Errorf("MinWait = %v, want 2s", e.MinWait())
				}
			}},
		{name: "477 migration with Retry-After", status: 477, header: map[string]string{"Retry-After": "3600"}, want: ClassRetry,
			check: func(t *testing.T, e *APIError) {
				if e.MinWait() != time.Hour {
					t.Errorf("MinWait = %v, want 1h", e.MinWait())
				}
			}},
		{name: "204 unexpected success status", status: 204, want: ClassFatal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, Config{}, fixtureHandler(t, tt.status, tt.file, tt.header))
			c.now = func() time.Time { return testNow }
			res, err := c.UpdateBatch(context.Background(), inputsFor("1001", "1002"))
			if err == nil {
				t.Fatalf("UpdateBatch = %+v, want an error", res)
			}
			e, ok := errors.AsType[*APIError](err)
			if !ok {
				t.Fatalf("error %v is not an *APIError", err)
			}
			if got := Classify(err); got != tt.want {
				t.Errorf("Classify(%v) = %v, want %v", err, got, tt.want)
			}
			if e.StatusCode != tt.status {
				t.Errorf("StatusCode = %d", e.StatusCode)
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", e)} {
				if strings.Contains(s, testToken) {
					t.Errorf("error shows the token: %s", s)
				}
			}
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
}

func TestAPIErrorError(t *testing.T) {
	long := strings.Repeat("é", 400)
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   string
	}{
		{"category and correlation id", 400, nil,
			`{"message":"bad\nthing","category":"VALIDATION_ERROR","correlationId":"c-1"}`,
			"hubspot: 400 VALIDATION_ERROR: bad thing (correlation id c-1)"},
		{"correlation id from header", 401, http.Header{"X-Hubspot-Correlation-Id": {"h-1"}},
			`{"message":"no"}`, "hubspot: 401 Unauthorized: no (correlation id h-1)"},
		{"429 names the policy", 429, http.Header{"Retry-After": {"2"}},
			`{"message":"slow down","errorType":"RATE_LIMIT","policyName":"DAILY"}`,
			"hubspot: 429 RATE_LIMIT DAILY: slow down (retry after 2s)"},
		{"empty body", 503, nil, "", "hubspot: 503 Service Unavailable"},
		{"non-JSON body", 502, nil, "  <h1>Bad\n\n gateway</h1> ", "hubspot: 502 Bad Gateway: non-JSON body: <h1>Bad gateway</h1>"},
		{"JSON of the wrong shape", 500, nil, `{"message":["a"],"category":"X"}`, "hubspot: 500 X"},
		{"message is capped", 400, nil, `{"message":"` + long + `"}`,
			"hubspot: 400 Bad Request: " + strings.Repeat("é", maxShownMessage/2) + "…"},
		{"token echoed by a proxy is scrubbed", 401, nil, `{"message":"bad token ` + testToken + `"}`,
			"hubspot: 401 Unauthorized: bad token <redacted>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			e := parseAPIError(tt.status, h, []byte(tt.body), testToken, testNow)
			if got := e.Error(); got != tt.want {
				t.Errorf("Error() = %q\nwant      %q", got, tt.want)
			}
		})
	}
}
