package sink

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
)

// propertiesHandler checks a properties request and answers with the fixture.
func propertiesHandler(t *testing.T, status int, file string) http.HandlerFunc {
	body := readFixture(t, file)
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.EscapedPath() != "/crm/v3/properties/0-18" {
			t.Errorf("request %s %s, want GET /crm/v3/properties/0-18", r.Method, r.URL.EscapedPath())
		}
		if a := r.Header.Get("Authorization"); a != "Bearer "+testToken {
			t.Errorf("Authorization header = %q", a)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// communications is the property list of the emulator's communications
// object, as 200_properties_communications.json holds it.
var communications = []Property{
	{Name: "hs_communication_channel_type", Label: "Channel type", Type: "enumeration", FieldType: "select", Options: []Option{
		{Label: "WhatsApp", Value: "WHATS_APP"}, {Label: "LinkedIn", Value: "LINKEDIN_MESSAGE"}, {Label: "SMS", Value: "SMS"}}},
	{Name: "hs_communication_logged_from", Label: "Logged from", Type: "enumeration", FieldType: "select", Options: []Option{
		{Label: "CRM", Value: "CRM"}}},
	{Name: "hs_communication_body", Label: "Body", Type: "string", FieldType: "textarea"},
	{Name: "hubspot_owner_id", Label: "Owner", Type: "enumeration", FieldType: "select", Options: []Option{
		{Label: "Ada Lovelace", Value: "1001"}, {Label: "Grace Hopper", Value: "1002"}, {Label: "Alan Turing", Value: "1003"}}},
	{Name: "hs_timestamp", Label: "Timestamp", Type: "datetime", FieldType: "date"},
	{Name: "hs_object_id", Label: "Record ID", Type: "number", FieldType: "number", Calculated: true, ReadOnlyValue: true},
	{Name: "hs_createdate", Label: "Create date", Type: "datetime", FieldType: "date", ReadOnlyValue: true},
	{Name: "hs_lastmodifieddate", Label: "Last modified date", Type: "datetime", FieldType: "date", ReadOnlyValue: true},
	{Name: "message_count", Label: "Message count", Type: "number", FieldType: "number"},
	{Name: "is_priority", Label: "Priority", Type: "bool", FieldType: "booleancheckbox", Options: []Option{
		{Label: "Yes", Value: "true"}, {Label: "No", Value: "false"}}},
	{Name: "follow_up_date", Label: "Follow-up date", Type: "date", FieldType: "date"},
	{Name: "last_reply_at", Label: "Last reply at", Type: "datetime", FieldType: "date"},
	{Name: "sentiment", Label: "Sentiment", Type: "enumeration", FieldType: "select", Options: []Option{
		{Label: "Positive", Value: "pos"}, {Label: "Neutral", Value: "neu"}, {Label: "Negative", Value: "neg"}}},
	{Name: "topics", Label: "Topics", Type: "enumeration", FieldType: "checkbox", Options: []Option{
		{Label: "Billing", Value: "BILLING"}, {Label: "Support", Value: "SUPPORT"}, {Label: "Sales", Value: "SALES"}, {Label: "Feedback", Value: "FEEDBACK"}}},
	{Name: "external_id", Label: "External ID", Type: "string", FieldType: "text", HasUniqueValue: true},
}

func TestProperties(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []Property
	}{
		{"emulator communications", "200_properties_communications.json", communications},
		{"lenient field types", "200_properties_lenient.json", []Property{
			{Name: "flag", Label: "Flag", Type: "bool", FieldType: "booleancheckbox", HasUniqueValue: true,
				Options: []Option{{Label: "Yes", Value: "true", Hidden: true}, {Label: "7", Value: "false"}}},
			{Name: "code"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, Config{}, propertiesHandler(t, http.StatusOK, tt.file))
			got, err := c.Properties(context.Background())
			if err != nil {
				t.Fatalf("Properties: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Properties (-want +got):\n%s", diff)
			}
		})
	}
}

// The fixture must stay what the emulator serves, so that mapping tests
// built on it describe the emulator.
func TestPropertiesFromEmulator(t *testing.T) {
	srv, err := emulator.New(emulator.Config{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, Config{ObjectType: "communications"}, srv)
	got, err := c.Properties(context.Background())
	if err != nil {
		t.Fatalf("Properties: %v", err)
	}
	if diff := cmp.Diff(communications, got); diff != "" {
		t.Errorf("Properties from the emulator (-want +got):\n%s", diff)
	}
}

func TestPropertiesFailures(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		file      string
		wantClass Class
		wantAPI   int // status of the *APIError, 0 = none expected
		wantIs    error
	}{
		{"401 invalid authentication", 401, "401_invalid_authentication.json", ClassFatal, 401, nil},
		{"429 ten-secondly", 429, "429_ten_secondly_rolling.json", ClassRateLimit, 429, nil},
		{"502 proxy page", 502, "502_proxy.html", ClassRetry, 502, nil},
		{"200 without results", 200, "200_properties_no_results.json", ClassRetry, 0, ErrUnreadableResponse},
		{"200 html", 200, "200_html.html", ClassRetry, 0, ErrUnreadableResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, Config{}, propertiesHandler(t, tt.status, tt.file))
			got, err := c.Properties(context.Background())
			if err == nil {
				t.Fatalf("Properties = %v, want an error", got)
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
		})
	}
}

func TestPropertiesCategoryOf401(t *testing.T) {
	c := newTestClient(t, Config{}, propertiesHandler(t, 401, "401_invalid_authentication.json"))
	_, err := c.Properties(context.Background())
	ae, ok := errors.AsType[*APIError](err)
	if !ok {
		t.Fatalf("error %v is not an *APIError", err)
	}
	if ae.Category != "INVALID_AUTHENTICATION" {
		t.Errorf("Category = %q, want INVALID_AUTHENTICATION", ae.Category)
	}
}

func TestPropertiesCallerContextDone(t *testing.T) {
	c := newTestClient(t, Config{}, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("request sent after the context ended")
	}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Properties(ctx)
	if !errors.Is(err, context.Canceled) || Classify(err) != ClassFatal {
		t.Errorf("Properties = %v (class %v), want context.Canceled, fatal", err, Classify(err))
	}
}

func TestPropertiesURL(t *testing.T) {
	tests := []struct{ base, objectType, want string }{
		{"https://api.hubapi.com", "communications", "https://api.hubapi.com/crm/v3/properties/communications"},
		{"https://proxy.example/crm/v3/objects/x/", "2-123", "https://proxy.example/crm/v3/objects/x/crm/v3/properties/2-123"},
		{"https://api.hubapi.com", "a/b", "https://api.hubapi.com/crm/v3/properties/a%2Fb"},
	}
	for _, tt := range tests {
		t.Run(tt.objectType, func(t *testing.T) {
			c, err := New(Config{BaseURL: tt.base, Token: testToken, ObjectType: tt.objectType})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.propertiesURL(); got != tt.want {
				t.Errorf("propertiesURL = %q, want %q", got, tt.want)
			}
		})
	}
}
