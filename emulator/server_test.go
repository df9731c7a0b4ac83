package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"defaults", Config{Token: "t"}, ""},
		{"no token", Config{}, "token is required"},
		{"negative rate", Config{Token: "t", Rate: -1}, "must not be negative"},
		{"negative window", Config{Token: "t", Window: -time.Second}, "must not be negative"},
		{"unique format without verb", Config{Token: "t", UniqueFormat: "EXT"}, "exactly one integer verb"},
		{"unique format with two verbs", Config{Token: "t", UniqueFormat: "%d-%d"}, "exactly one integer verb"},
		{"unique format with string verb", Config{Token: "t", UniqueFormat: "%s-%d"}, "only one % verb"},
		{"fault out of range", Config{Token: "t", Faults: Faults{P500: 1.5}}, "want a number in [0,1]"},
		{"faults sum over one", Config{Token: "t", Faults: Faults{P500: 0.6, PDrop: 0.6}}, "sum to"},
		{"slow without delay", Config{Token: "t", Faults: Faults{PSlow: 0.1}}, "SlowDelay"},
		{"unknown order", Config{Token: "t", ResultOrder: Order(9)}, "unknown result order"},
		{"empty schema", Config{Token: "t", Schema: &Schema{}}, "no object types"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("New error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestParseOrder(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Order
		ok   bool
	}{{"shuffle", Shuffle, true}, {"reverse", Reverse, true}, {"INPUT", InputOrder, true}, {"random", 0, false}} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseOrder(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("ParseOrder(%q) = %v, %v", tc.in, got, err)
			}
			if tc.ok && !strings.EqualFold(got.String(), tc.in) {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
}

func TestRouting(t *testing.T) {
	tests := []struct {
		name, method, path string
		header             map[string]string
		body               string
		status             int
	}{
		{"batch update", "POST", "/crm/v3/objects/communications/batch/update", nil, oneInput, 200},
		{"unknown path", "POST", "/crm/v3/objects/communications/batch/upsert", nil, oneInput, 404},
		{"extra segment", "POST", "/crm/v3/objects/communications/batch/update/x", nil, oneInput, 404},
		{"no object type", "POST", "/crm/v3/objects//batch/update", nil, oneInput, 404},
		{"GET batch update", "GET", "/crm/v3/objects/communications/batch/update", nil, "", 405},
		{"PATCH batch update", "PATCH", "/crm/v3/objects/communications/batch/update", nil, oneInput, 405},
		{"properties", "GET", "/crm/v3/properties/0-18", nil, "", 200},
		{"POST properties", "POST", "/crm/v3/properties/0-18", nil, "{}", 405},
		{"properties of unknown type", "GET", "/crm/v3/properties/butterflies", nil, "", 400},
		{"text body", "POST", "/crm/v3/objects/communications/batch/update", map[string]string{"Content-Type": "text/plain"}, oneInput, 415},
		{"no content type", "POST", "/crm/v3/objects/communications/batch/update", map[string]string{"Content-Type": ""}, oneInput, 415},
		{"json with charset", "POST", "/crm/v3/objects/communications/batch/update", map[string]string{"Content-Type": "application/json; charset=UTF-8"}, oneInput, 200},
		{"body too large", "POST", "/crm/v3/objects/communications/batch/update", nil, strings.Repeat(" ", maxBodyBytes+1), 413},
	}
	s, base := startServer(t, Config{SeedIDs: 10})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.method, base+tc.path, tc.body, tc.header)
			wantStatus(t, r, tc.status)
			if r.header.Get("X-HubSpot-Correlation-Id") == "" {
				t.Error("no X-HubSpot-Correlation-Id")
			}
			if r.status != 200 {
				decodeErr(t, r)
			}
		})
	}
	st := s.Stats()
	if st.Requests != len(tests) || st.BatchRequests != 7 {
		t.Errorf("Requests %d, BatchRequests %d", st.Requests, st.BatchRequests)
	}
}

func TestProperties(t *testing.T) {
	_, base := startServer(t, Config{})
	r := do(t, http.MethodGet, base+"/crm/v3/properties/communications", "", nil)
	wantStatus(t, r, 200)
	var body struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	byName := map[string]map[string]any{}
	for _, p := range body.Results {
		byName[p["name"].(string)] = p
		for _, k := range []string{"label", "type", "fieldType", "description", "groupName", "options", "hasUniqueValue", "calculated", "modificationMetadata"} {
			if _, ok := p[k]; !ok {
				t.Errorf("%s: no %s", p["name"], k)
			}
		}
	}
	for _, name := range []string{"hs_communication_channel_type", "hs_communication_logged_from", "hs_communication_body",
		"hubspot_owner_id", "hs_timestamp", "hs_object_id", "hs_createdate", "hs_lastmodifieddate", "external_id"} {
		if byName[name] == nil {
			t.Errorf("no property %s", name)
		}
	}
	wantOpt := []any{
		map[string]any{"label": "Positive", "value": "pos", "displayOrder": 0.0, "hidden": false},
		map[string]any{"label": "Neutral", "value": "neu", "displayOrder": 1.0, "hidden": false},
		map[string]any{"label": "Negative", "value": "neg", "displayOrder": 2.0, "hidden": false},
	}
	if diff := cmp.Diff(wantOpt, byName["sentiment"]["options"]); diff != "" {
		t.Errorf("sentiment options (-want +got):\n%s", diff)
	}
	if byName["external_id"]["hasUniqueValue"] != true || byName["hs_object_id"]["calculated"] != true {
		t.Error("external_id must be unique and hs_object_id calculated")
	}
	mm := byName["hs_createdate"]["modificationMetadata"].(map[string]any)
	if mm["readOnlyValue"] != true {
		t.Errorf("hs_createdate modificationMetadata = %v", mm)
	}
	if opts := byName["hs_communication_body"]["options"]; !cmp.Equal(opts, []any{}) {
		t.Errorf("options of a text property = %v, want []", opts)
	}
}

func TestLifecycle(t *testing.T) {
	s, err := New(Config{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close before Start: %v", err)
	}
	if _, err := s.Start("127.0.0.1:0"); err == nil {
		t.Error("Start after Close succeeded")
	}

	s, err = New(Config{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.Start(":0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Errorf("base URL %q", base)
	}
	if _, err := s.Start("127.0.0.1:0"); err == nil {
		t.Error("second Start succeeded")
	}
	wantStatus(t, do(t, http.MethodGet, base+"/crm/v3/properties/contacts", "", nil), 200)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := http.Get(base + "/crm/v3/properties/contacts"); err == nil {
		t.Error("still serving after Close")
	}
}

// The Server is a plain http.Handler too.
func TestHandler(t *testing.T) {
	s, err := New(Config{Token: testToken, SeedIDs: 5})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	wantStatus(t, postBatch(t, ts.URL, "communications", oneInput), 200)
	if s.WriteCount("communications", "1") != 1 {
		t.Error("not applied")
	}
}

// Many clients at once: every batch applied exactly once, counters agree.
func TestConcurrentBatches(t *testing.T) {
	const clients, batches = 8, 10
	s, base := startServer(t, Config{SeedIDs: clients * batches * 100})
	errs := make(chan error, clients)
	for c := 0; c < clients; c++ {
		go func() {
			for b := 0; b < batches; b++ {
				status, _, _, err := rawPost(context.Background(), base, benchBody(1+(c*batches+b)*100))
				if err != nil || status != 200 {
					errs <- fmt.Errorf("client %d batch %d: status %d, %v", c, b, status, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for c := 0; c < clients; c++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	st := s.Stats()
	if st.RecordsApplied != clients*batches*100 || len(s.Records("communications")) != clients*batches*100 || st.ByStatus[200] != clients*batches {
		t.Errorf("Stats = %+v", st)
	}
}
