package sink

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
)

// accountHandler checks an account-details request and answers status
// with body.
func accountHandler(t *testing.T, status int, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.EscapedPath() != "/account-info/v3/details" {
			t.Errorf("request %s %s, want GET /account-info/v3/details", r.Method, r.URL.EscapedPath())
		}
		if a := r.Header.Get("Authorization"); a != "Bearer "+testToken {
			t.Errorf("Authorization header = %q", a)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// accountEU is the shape of docs/hubspot-api.md §15 with an EU account's values.
const accountEU = `{"portalId":5865761,"accountType":"STANDARD","timeZone":"Europe/Dublin",` +
	`"companyCurrency":"EUR","additionalCurrencies":[],"utcOffset":"+01:00",` +
	`"utcOffsetMilliseconds":3600000,"uiDomain":"app-eu1.hubspot.com","dataHostingLocation":"eu1"}`

func TestAccountDetails(t *testing.T) {
	tests := []struct {
		name string
		body string
		want AccountDetails
	}{
		{"every field", accountEU, AccountDetails{PortalID: 5865761, AccountType: "STANDARD",
			TimeZone: "Europe/Dublin", DataHostingLocation: "eu1", UIDomain: "app-eu1.hubspot.com"}},
		{"beyond int32", `{"portalId":4294967296}`, AccountDetails{PortalID: 4294967296}},
		{"largest int64", `{"portalId":9223372036854775807}`, AccountDetails{PortalID: 9223372036854775807}},
		{"odd string types read leniently", `{"portalId":7,"accountType":1,"timeZone":null,"dataHostingLocation":["x"]}`,
			AccountDetails{PortalID: 7, AccountType: "1"}},
		{"control characters scrubbed", `{"portalId":7,"timeZone":"US/East\u001b[2Jern"}`,
			AccountDetails{PortalID: 7, TimeZone: "US/Eastern"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, Config{}, accountHandler(t, http.StatusOK, []byte(tt.body)))
			got, err := c.AccountDetails(context.Background())
			if err != nil {
				t.Fatalf("AccountDetails: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("AccountDetails (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAccountDetailsFromEmulator(t *testing.T) {
	srv, err := emulator.New(emulator.Config{Token: testToken, PortalID: 24681357})
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, Config{ObjectType: "communications"}, srv)
	got, err := c.AccountDetails(context.Background())
	if err != nil {
		t.Fatalf("AccountDetails: %v", err)
	}
	if got.PortalID != 24681357 || got.TimeZone == "" || got.DataHostingLocation == "" || got.AccountType == "" {
		t.Errorf("AccountDetails = %+v, want portal 24681357 and every string set", got)
	}
}

func TestAccountDetailsFailures(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		file      string // a fixture in testdata, or else body
		body      string
		wantClass Class
		wantAPI   int   // status of the *APIError, 0 = none expected
		wantIs    error // also wrapped, when set
		wantText  string
	}{
		{"401 invalid authentication", 401, "401_invalid_authentication.json", "", ClassFatal, 401, nil, "INVALID_AUTHENTICATION"},
		{"403 missing scopes", 403, "403_missing_scopes.json", "", ClassFatal, 403, nil, `lists only the "oauth" scope`},
		{"429 ten-secondly", 429, "429_ten_secondly_rolling.json", "", ClassRateLimit, 429, nil, "429"},
		{"429 daily", 429, "429_daily.json", "", ClassDailyLimit, 429, nil, "DAILY"},
		{"502 proxy page", 502, "502_proxy.html", "", ClassRetry, 502, nil, "502"},
		{"503 empty", 503, "", "", ClassRetry, 503, nil, "503"},
		{"200 html", 200, "200_html.html", "", ClassRetry, 0, ErrUnreadableResponse, "not a JSON object"},
		{"200 without portalId", 200, "", `{"accountType":"STANDARD","timeZone":"US/Eastern"}`, ClassFatal, 0, ErrNoPortalID, "absent"},
		{"200 portalId null", 200, "", `{"portalId":null}`, ClassFatal, 0, ErrNoPortalID, "absent"},
		{"200 portalId quoted", 200, "", `{"portalId":"12345678"}`, ClassFatal, 0, ErrNoPortalID, "not an integer"},
		{"200 portalId too large", 200, "", `{"portalId":9223372036854775808}`, ClassFatal, 0, ErrNoPortalID, "not an integer"},
		{"200 portalId zero", 200, "", `{"portalId":0}`, ClassFatal, 0, ErrNoPortalID, "not an integer"},
		{"200 portalId negative", 200, "", `{"portalId":-5}`, ClassFatal, 0, ErrNoPortalID, "not an integer"},
		{"200 portalId fractional", 200, "", `{"portalId":1.5}`, ClassFatal, 0, ErrNoPortalID, "not an integer"},
		{"200 portalId exponent", 200, "", `{"portalId":1e3}`, ClassFatal, 0, ErrNoPortalID, "not an integer"},
		{"200 broken JSON", 200, "", `{"portalId":12`, ClassRetry, 0, ErrUnreadableResponse, "decode 200 response"},
		{"200 too large", 200, "", `{"portalId":1,"pad":"` + strings.Repeat("x", maxAccountBody) + `"}`, ClassRetry, 0, ErrUnreadableResponse, "read 200 response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			if tt.file != "" {
				body = readFixture(t, tt.file)
			}
			c := newTestClient(t, Config{}, accountHandler(t, tt.status, body))
			got, err := c.AccountDetails(context.Background())
			if err == nil {
				t.Fatalf("AccountDetails = %+v, want an error", got)
			}
			if got != (AccountDetails{}) {
				t.Errorf("AccountDetails = %+v with an error, want the zero value", got)
			}
			if c := Classify(err); c != tt.wantClass {
				t.Errorf("Classify(%v) = %v, want %v", err, c, tt.wantClass)
			}
			ae, isAPI := errors.AsType[*APIError](err)
			switch {
			case tt.wantAPI != 0 && !isAPI:
				t.Errorf("error %v is not an *APIError", err)
			case tt.wantAPI != 0 && ae.StatusCode != tt.wantAPI:
				t.Errorf("APIError.StatusCode = %d, want %d", ae.StatusCode, tt.wantAPI)
			case tt.wantAPI == 0 && isAPI:
				t.Errorf("error %v is an *APIError, want none", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not contain %q", err, tt.wantText)
			}
		})
	}
}

// A hostile answer must not smuggle the token into an error through the
// portalId echoed in the message.
func TestAccountDetailsScrubsPortalID(t *testing.T) {
	c := newTestClient(t, Config{}, accountHandler(t, http.StatusOK, []byte(`{"portalId":"`+testToken+`"}`)))
	_, err := c.AccountDetails(context.Background())
	if err == nil || strings.Contains(err.Error(), testToken[:12]) {
		t.Errorf("AccountDetails error = %v, want an error without the token", err)
	}
}

func TestAccountDetailsCallerContextDone(t *testing.T) {
	c := newTestClient(t, Config{}, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("request sent after the context ended")
	}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.AccountDetails(ctx)
	if !errors.Is(err, context.Canceled) || Classify(err) != ClassFatal {
		t.Errorf("AccountDetails = %v (class %v), want context.Canceled, fatal", err, Classify(err))
	}
}

func TestAccountURL(t *testing.T) {
	tests := []struct{ base, objectType, want string }{
		{"https://api.hubapi.com", "communications", "https://api.hubapi.com/account-info/v3/details"},
		{"https://proxy.example/crm/v3/objects/x/", "2-123", "https://proxy.example/crm/v3/objects/x/account-info/v3/details"},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			c, err := New(Config{BaseURL: tt.base, Token: testToken, ObjectType: tt.objectType})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.accountURL(); got != tt.want {
				t.Errorf("accountURL = %q, want %q", got, tt.want)
			}
		})
	}
}
