package emulator

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const oneInput = `{"inputs":[{"id":"1","properties":{"hs_communication_body":"x"}}]}`

func TestAuth(t *testing.T) {
	tests := []struct {
		name          string
		authorization string // "" = header removed
		objectType    string
		status        int
		category      string
		scopes        []string
	}{
		{"no header", "", "communications", 401, "INVALID_AUTHENTICATION", nil},
		{"wrong token", "Bearer nope", "communications", 401, "INVALID_AUTHENTICATION", nil},
		{"empty token", "Bearer ", "communications", 401, "INVALID_AUTHENTICATION", nil},
		{"other scheme", "Basic " + testToken, "communications", 401, "INVALID_AUTHENTICATION", nil},
		{"token as query would be", testToken, "communications", 401, "INVALID_AUTHENTICATION", nil},
		{"lower-case scheme", "bearer " + testToken, "communications", 200, "", nil},
		{"scopeless", "Bearer scopeless", "communications", 403, "MISSING_SCOPES", []string{"crm.objects.contacts.write"}},
		{"scopeless custom object", "Bearer scopeless", "widgets", 403, "MISSING_SCOPES", []string{"crm.objects.custom.write"}},
		{"auth before object type", "Bearer nope", "butterflies", 401, "INVALID_AUTHENTICATION", nil},
	}
	s, base := startServer(t, Config{SeedIDs: 10, ScopelessToken: "scopeless", Rate: 100})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, http.MethodPost, base+"/crm/v3/objects/"+tc.objectType+"/batch/update", oneInput,
				map[string]string{"Authorization": tc.authorization})
			wantStatus(t, r, tc.status)
			if tc.status == 200 {
				return
			}
			e := decodeErr(t, r)
			if got := category(e); got != tc.category {
				t.Errorf("category = %s, want %s", got, tc.category)
			}
			switch tc.status {
			case 401:
				if got := r.header.Get("X-HubSpot-Auth-Failure"); got != "401 Unauthorized" {
					t.Errorf("X-HubSpot-Auth-Failure = %q", got)
				}
				if e.Message != msgNoAuth {
					t.Errorf("message %q", e.Message)
				}
			case 403:
				if len(e.Errors) != 1 || !cmp.Equal(e.Errors[0].Context["requiredScopes"], tc.scopes) {
					t.Errorf("errors = %+v", e.Errors)
				}
			}
		})
	}
	if n := s.WriteCount("communications", "1"); n != 1 {
		t.Errorf("WriteCount = %d: only the authorised request may write", n)
	}
	t.Run("golden", func(t *testing.T) {
		r := do(t, http.MethodPost, base+"/crm/v3/objects/0-18/batch/update", oneInput, map[string]string{"Authorization": ""})
		checkGolden(t, "auth-401", r.body)
		r = do(t, http.MethodPost, base+"/crm/v3/objects/0-18/batch/update", oneInput, map[string]string{"Authorization": "Bearer scopeless"})
		checkGolden(t, "scopes-403", r.body)
	})
	t.Run("scopeless token may read properties", func(t *testing.T) {
		r := do(t, http.MethodGet, base+"/crm/v3/properties/contacts", "", map[string]string{"Authorization": "Bearer scopeless"})
		wantStatus(t, r, 200)
	})
}

func TestSetToken(t *testing.T) {
	s, base := startServer(t, Config{SeedIDs: 10})
	wantStatus(t, postBatch(t, base, "communications", oneInput), 200)
	s.SetToken("rotated")
	wantStatus(t, postBatch(t, base, "communications", oneInput), 401)
	r := do(t, http.MethodPost, base+"/crm/v3/objects/communications/batch/update", oneInput, map[string]string{"Authorization": "Bearer rotated"})
	wantStatus(t, r, 200)
	if got := s.Stats().ByStatus; !cmp.Equal(got, map[int]int{200: 2, 401: 1}) {
		t.Errorf("ByStatus = %v", got)
	}
}

// rateHeaders picks the X-HubSpot-RateLimit-* headers of an answer.
func rateHeaders(r response) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"Max", "Remaining", "Interval-Milliseconds", "Daily", "Daily-Remaining"} {
		if v := r.header.Get("X-HubSpot-RateLimit-" + k); v != "" {
			out[k] = v
		}
	}
	return out
}

func TestRollingWindow(t *testing.T) {
	clock := newTestClock()
	s, base := startServer(t, Config{SeedIDs: 10, Rate: 3, Window: 10 * time.Second, Now: clock.Now})
	type call struct {
		advance   time.Duration
		get       bool // GET properties instead of a batch
		noAuth    bool
		status    int
		remaining string
	}
	calls := []call{
		{0, false, false, 200, "2"},
		{4 * time.Second, true, false, 200, "1"}, // reads count too
		{0, false, true, 401, "1"},               // unknown callers are not counted
		{0, false, false, 200, "0"},
		{0, false, false, 429, "0"},
		{6*time.Second - time.Millisecond, false, false, 429, "0"}, // t0 still inside (now-10s, now]
		{time.Millisecond, false, false, 200, "0"},                 // t0 left; 429s were not counted
		{0, false, false, 429, "0"},
		{4 * time.Second, false, false, 200, "1"}, // both t0+4s calls left
		{10 * time.Second, false, false, 200, "2"},
	}
	for i, c := range calls {
		clock.Advance(c.advance)
		var r response
		switch {
		case c.get:
			r = do(t, http.MethodGet, base+"/crm/v3/properties/communications", "", nil)
		case c.noAuth:
			r = do(t, http.MethodPost, base+"/crm/v3/objects/communications/batch/update", oneInput, map[string]string{"Authorization": ""})
		default:
			r = postBatch(t, base, "communications", oneInput)
		}
		if r.status != c.status {
			t.Fatalf("call %d: status %d, want %d: %s", i, r.status, c.status, r.body)
		}
		want := map[string]string{"Max": "3", "Remaining": c.remaining, "Interval-Milliseconds": "10000"}
		if diff := cmp.Diff(want, rateHeaders(r)); diff != "" {
			t.Errorf("call %d headers (-want +got):\n%s", i, diff)
		}
		if c.status == 429 {
			e := decodeErr(t, r)
			if e.Message != "You have reached your ten_secondly_rolling limit." || e.ErrorType != "RATE_LIMIT" ||
				e.PolicyName != "TEN_SECONDLY_ROLLING" || e.GroupName == "" || e.Category != nil {
				t.Errorf("call %d: 429 body %s", i, r.body)
			}
			if r.header.Get("Retry-After") != "" {
				t.Errorf("call %d: Retry-After sent though not configured", i)
			}
		}
	}
	if st := s.Stats(); st.MaxInWindow != 2 || st.ByStatus[429] != 3 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestRetryAfter(t *testing.T) {
	clock := newTestClock()
	_, base := startServer(t, Config{SeedIDs: 10, Rate: 1, Window: 10 * time.Second, RetryAfter: true, Now: clock.Now})
	wantStatus(t, postBatch(t, base, "communications", oneInput), 200)
	clock.Advance(2500 * time.Millisecond)
	r := postBatch(t, base, "communications", oneInput)
	wantStatus(t, r, 429)
	if got := r.header.Get("Retry-After"); got != "8" {
		t.Errorf("Retry-After = %q, want 8 (7.5s rounded up)", got)
	}
	checkGolden(t, "rate-429-rolling", r.body)
}

func TestDailyQuota(t *testing.T) {
	clock := newTestClock() // 05:03:12.880 UTC
	_, base := startServer(t, Config{SeedIDs: 10, Daily: 2, RetryAfter: true, Now: clock.Now})
	tests := []struct {
		advance time.Duration
		status  int
		left    string
	}{
		{0, 200, "1"},
		{0, 200, "0"},
		{0, 429, "0"},
		{18*time.Hour + 56*time.Minute, 429, "0"}, // 23:59:12.880
		{time.Minute, 200, "1"},                   // a new UTC day
	}
	for i, tc := range tests {
		clock.Advance(tc.advance)
		r := postBatch(t, base, "communications", oneInput)
		wantStatus(t, r, tc.status)
		if diff := cmp.Diff(map[string]string{"Daily": "2", "Daily-Remaining": tc.left}, rateHeaders(r)); diff != "" {
			t.Errorf("call %d headers (-want +got):\n%s", i, diff)
		}
		if tc.status != 429 {
			continue
		}
		var body map[string]any
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatal(err)
		}
		if body["policyName"] != "DAILY" || body["message"] != "You have reached your daily limit." ||
			body["errorType"] != "RATE_LIMIT" || body["requestId"] == nil || body["category"] != nil {
			t.Errorf("call %d: body %s", i, r.body)
		}
		if i == 3 && r.header.Get("Retry-After") != "48" {
			t.Errorf("Retry-After = %q, want 48 (seconds to midnight UTC)", r.header.Get("Retry-After"))
		}
	}
}

func TestMaxInWindowWithoutRate(t *testing.T) {
	clock := newTestClock()
	s, base := startServer(t, Config{SeedIDs: 10, Now: clock.Now})
	for i := 0; i < 5; i++ {
		r := postBatch(t, base, "communications", oneInput)
		if len(rateHeaders(r)) != 0 {
			t.Errorf("rate headers %v with limits off", rateHeaders(r))
		}
	}
	clock.Advance(10 * time.Second)
	for i := 0; i < 2; i++ {
		postBatch(t, base, "communications", oneInput)
		do(t, http.MethodGet, base+"/crm/v3/properties/communications", "", nil) // not a batch
	}
	if got := s.Stats().MaxInWindow; got != 5 {
		t.Errorf("MaxInWindow = %d, want 5", got)
	}
}
