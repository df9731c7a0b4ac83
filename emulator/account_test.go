package emulator

import (
	"encoding/json"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAccountDetails(t *testing.T) {
	tests := []struct {
		name   string
		portal int64
		want   float64 // portalId as encoding/json reads a number into any; 0: the server's random one
	}{
		{"default portal", 0, 0},
		{"configured portal", 24681357, 24681357},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, base := startServer(t, Config{PortalID: tt.portal})
			if tt.want == 0 {
				tt.want = float64(s.PortalID())
			}
			r := do(t, http.MethodGet, base+"/account-info/v3/details", "", nil)
			wantStatus(t, r, 200)
			var body map[string]any
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatalf("decode %s: %v", r.body, err)
			}
			want := map[string]any{
				"portalId": tt.want, "accountType": "STANDARD", "timeZone": "UTC",
				"companyCurrency": "USD", "additionalCurrencies": []any{},
				"utcOffset": "+00:00", "utcOffsetMilliseconds": float64(0),
				"uiDomain": "app.hubspot.com", "dataHostingLocation": "na1",
			}
			if diff := cmp.Diff(want, body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if ct := r.header.Get("Content-Type"); ct != contentTypeJSON {
				t.Errorf("Content-Type = %q", ct)
			}
			if r.header.Get(headerCorrelation) == "" {
				t.Error("no correlation id header")
			}
			if st := s.Stats(); st.AccountRequests != 1 || st.BatchRequests != 0 || st.Requests != 1 {
				t.Errorf("Stats = %+v, want one account request", st)
			}
		})
	}
}

func TestAccountDetailsRefusals(t *testing.T) {
	tests := []struct {
		name   string
		method string
		header map[string]string
		status int
	}{
		{"no token", http.MethodGet, map[string]string{"Authorization": ""}, 401},
		{"wrong token", http.MethodGet, map[string]string{"Authorization": "Bearer nope"}, 401},
		{"scopeless token", http.MethodGet, map[string]string{"Authorization": "Bearer pat-scopeless"}, 200},
		{"POST", http.MethodPost, nil, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, base := startServer(t, Config{ScopelessToken: "pat-scopeless"})
			r := do(t, tt.method, base+"/account-info/v3/details", "", tt.header)
			wantStatus(t, r, tt.status)
			if tt.status == 401 && decodeErr(t, r).Message != msgNoAuth {
				t.Errorf("401 body %s", r.body)
			}
			if tt.status == 405 && r.header.Get("Allow") != http.MethodGet {
				t.Errorf("Allow = %q, want GET", r.header.Get("Allow"))
			}
			if st := s.Stats(); st.AccountRequests != 1 {
				t.Errorf("AccountRequests = %d, want 1 (any outcome counts)", st.AccountRequests)
			}
		})
	}
}

// The account route counts against the rolling window like any call, and
// is refused with the same 429 once the window is full.
func TestAccountDetailsRateLimited(t *testing.T) {
	clock := newTestClock()
	s, base := startServer(t, Config{SeedIDs: 10, Rate: 2, Window: 10 * time.Second, Now: clock.Now})
	wantStatus(t, postBatch(t, base, "communications", oneInput), 200)
	r := do(t, http.MethodGet, base+"/account-info/v3/details", "", nil)
	wantStatus(t, r, 200)
	if got := rateHeaders(r)["Remaining"]; got != "0" {
		t.Errorf("Remaining after the account call = %q, want 0", got)
	}
	r = do(t, http.MethodGet, base+"/account-info/v3/details", "", nil)
	wantStatus(t, r, 429)
	if e := decodeErr(t, r); e.PolicyName != "TEN_SECONDLY_ROLLING" || e.ErrorType != "RATE_LIMIT" {
		t.Errorf("429 body %s", r.body)
	}
	wantStatus(t, postBatch(t, base, "communications", oneInput), 429)
	if st := s.Stats(); st.AccountRequests != 2 || st.BatchRequests != 2 {
		t.Errorf("Stats = %+v, want 2 account and 2 batch requests", st)
	}
}

// TestRandomPortalID: an emulator started without a portal id gets a new
// one each start, above the int32 range and exact in any JSON reader, so
// that state a client keeps per portal is never that of another start.
func TestRandomPortalID(t *testing.T) {
	seen := map[int64]bool{}
	for range 20 {
		s, err := New(Config{Token: testToken})
		if err != nil {
			t.Fatal(err)
		}
		id := s.PortalID()
		if id <= math.MaxInt32 || id >= 1<<53 {
			t.Errorf("portal id %d, want one in (2^31-1, 2^53)", id)
		}
		seen[id] = true
	}
	if len(seen) < 20 {
		t.Errorf("%d distinct portal ids in 20 starts, want 20", len(seen))
	}
}

func TestNegativePortalID(t *testing.T) {
	if _, err := New(Config{Token: testToken, PortalID: -1}); err == nil {
		t.Error("New accepted a negative PortalID")
	}
}
