package emulator

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// input builds one batch input writing prop=value to record id.
func input(id, prop, value string) string {
	p, _ := json.Marshal(map[string]string{prop: value})
	return `{"id":"` + id + `","properties":` + string(p) + `}`
}

// Each refused value refuses the whole batch with the docs/hubspot-api.md §7 shape: a message
// embedding a JSON array, and errors[] with code and context.propertyName.
func TestPropertyRefused(t *testing.T) {
	const options = "[WHATS_APP, LINKEDIN_MESSAGE, SMS]"
	tests := []struct {
		name, objectType, prop, value string
		code, message                 string
	}{
		{"unknown property", "communications", "nope", "x", "PROPERTY_DOESNT_EXIST", `Property "nope" does not exist`},
		{"calculated", "communications", "hs_object_id", "5", "READ_ONLY_VALUE", `"hs_object_id" is a calculated property; its value cannot be set`},
		{"calculated cleared", "communications", "hs_object_id", "", "READ_ONLY_VALUE", `"hs_object_id" is a calculated property; its value cannot be set`},
		{"read only", "communications", "hs_createdate", "2024-01-01T00:00:00Z", "READ_ONLY_VALUE", `"hs_createdate" is a read only property; its value cannot be set`},
		{"read only on contacts", "contacts", "lastmodifieddate", "1", "READ_ONLY_VALUE", `"lastmodifieddate" is a read only property; its value cannot be set`},
		{"number letters", "communications", "message_count", "abc", "INVALID_INTEGER", "abc was not a valid number"},
		{"number two points", "communications", "message_count", "1.2.3", "INVALID_INTEGER", "1.2.3 was not a valid number"},
		{"number thousands", "communications", "message_count", "1,000", "INVALID_INTEGER", "1,000 was not a valid number"},
		{"number trailing point", "communications", "message_count", "1.", "INVALID_INTEGER", "1. was not a valid number"},
		{"number bare fraction", "communications", "message_count", ".5", "INVALID_INTEGER", ".5 was not a valid number"},
		{"number empty exponent", "communications", "message_count", "1e", "INVALID_INTEGER", "1e was not a valid number"},
		{"number hex", "communications", "message_count", "0x10", "INVALID_INTEGER", "0x10 was not a valid number"},
		{"number space", "widgets", "quantity", " 1", "INVALID_INTEGER", " 1 was not a valid number"},
		{"bool upper case", "communications", "is_priority", "TRUE", "INVALID_BOOLEAN", "TRUE was not a valid boolean, expected true or false"},
		{"bool yes", "communications", "is_priority", "yes", "INVALID_BOOLEAN", "yes was not a valid boolean, expected true or false"},
		{"bool digit", "communications", "is_priority", "1", "INVALID_BOOLEAN", "1 was not a valid boolean, expected true or false"},
		{"date not midnight (observed)", "communications", "follow_up_date", "1635535865", "INVALID_DATE", "1635535865 is at 22:18:55.865 UTC, not midnight!"},
		{"date epoch seconds of a day", "communications", "follow_up_date", "1635535865000", "INVALID_DATE", "1635535865000 is at 19:31:05.000 UTC, not midnight!"},
		{"date not a calendar day", "communications", "follow_up_date", "2023-02-29", "INVALID_DATE", "2023-02-29 is not a valid date, expected YYYY-MM-DD or epoch milliseconds at midnight UTC"},
		{"date unpadded", "communications", "follow_up_date", "2023-2-1", "INVALID_DATE", "2023-2-1 is not a valid date, expected YYYY-MM-DD or epoch milliseconds at midnight UTC"},
		{"date with time", "communications", "follow_up_date", "2023-01-01T00:00:00Z", "INVALID_DATE", "2023-01-01T00:00:00Z is not a valid date, expected YYYY-MM-DD or epoch milliseconds at midnight UTC"},
		{"datetime without zone", "communications", "last_reply_at", "2024-05-01T10:00:00", "INVALID_DATETIME", "2024-05-01T10:00:00 was not a valid datetime, expected ISO 8601 with a time zone or epoch milliseconds"},
		{"datetime with space", "communications", "hs_timestamp", "2024-05-01 10:00:00Z", "INVALID_DATETIME", "2024-05-01 10:00:00Z was not a valid datetime, expected ISO 8601 with a time zone or epoch milliseconds"},
		{"datetime date only", "communications", "hs_timestamp", "2024-05-01", "INVALID_DATETIME", "2024-05-01 was not a valid datetime, expected ISO 8601 with a time zone or epoch milliseconds"},
		{"option label instead of value", "communications", "sentiment", "Positive", "INVALID_OPTION", "Positive was not one of the allowed options: [pos, neu, neg]"},
		{"option case", "communications", "hs_communication_channel_type", "sms", "INVALID_OPTION", "sms was not one of the allowed options: " + options},
		{"option with trailing space (doc typo)", "communications", "hs_communication_channel_type", "SMS ", "INVALID_OPTION", "SMS  was not one of the allowed options: " + options},
		{"logged from", "communications", "hs_communication_logged_from", "API", "INVALID_OPTION", "API was not one of the allowed options: [CRM]"},
		{"owner", "communications", "hubspot_owner_id", "9999", "INVALID_OPTION", "9999 was not one of the allowed options: [1001, 1002, 1003]"},
		{"checkbox space after separator", "communications", "topics", "BILLING; SUPPORT", "INVALID_OPTION", " SUPPORT was not one of the allowed options: [BILLING, SUPPORT, SALES, FEEDBACK]"},
		{"checkbox empty part", "communications", "topics", "BILLING;;SUPPORT", "INVALID_OPTION", " was not one of the allowed options: [BILLING, SUPPORT, SALES, FEEDBACK]"},
		{"checkbox trailing separator", "communications", "topics", "BILLING;", "INVALID_OPTION", " was not one of the allowed options: [BILLING, SUPPORT, SALES, FEEDBACK]"},
		{"checkbox double leading separator", "communications", "topics", ";;BILLING", "INVALID_OPTION", " was not one of the allowed options: [BILLING, SUPPORT, SALES, FEEDBACK]"},
		{"checkbox comma", "communications", "topics", "BILLING,SUPPORT", "INVALID_OPTION", "BILLING,SUPPORT was not one of the allowed options: [BILLING, SUPPORT, SALES, FEEDBACK]"},
		{"single select takes one value", "contacts", "lifecyclestage", "lead;customer", "INVALID_OPTION", "lead;customer was not one of the allowed options: [subscriber, lead, customer]"},
		{"string too long", "communications", "hs_communication_body", strings.Repeat("é", 65537), "INVALID_STRING_LENGTH", "hs_communication_body was 65537 characters long; the maximum is 65536"},
	}
	_, base := startServer(t, Config{SeedIDs: 10})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := postBatch(t, base, tc.objectType, batchOf(input("1", tc.prop, tc.value)))
			wantStatus(t, r, 400)
			e := decodeErr(t, r)
			if got := category(e); got != "VALIDATION_ERROR" {
				t.Errorf("category = %s", got)
			}
			item, _ := json.Marshal([]map[string]any{{"isValid": false, "message": tc.message, "error": tc.code, "name": tc.prop}})
			if !strings.HasPrefix(e.Message, "Property values were not valid: [") {
				t.Fatalf("message %q", e.Message)
			}
			var items []map[string]any
			if err := json.Unmarshal([]byte(strings.TrimPrefix(e.Message, "Property values were not valid: ")), &items); err != nil {
				t.Fatalf("embedded array: %v", err)
			}
			var want []map[string]any
			_ = json.Unmarshal(item, &want)
			if diff := cmp.Diff(want, items); diff != "" {
				t.Errorf("embedded array (-want +got):\n%s", diff)
			}
			if len(e.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", e.Errors)
			}
			d := e.Errors[0]
			if d.Code != tc.code || d.Message != tc.message || !cmp.Equal(d.Context, map[string][]string{"propertyName": {tc.prop}}) {
				t.Errorf("errors[0] = %+v", d)
			}
		})
	}
}

func TestPropertyAccepted(t *testing.T) {
	tests := []struct {
		name, objectType, prop string
		values                 []string
	}{
		{"number", "communications", "message_count", []string{"42", "-1.5", "+3", "1e3", "2.5E-3", "007", ""}},
		{"bool", "communications", "is_priority", []string{"true", "false", ""}},
		{"date", "communications", "follow_up_date", []string{"2024-02-29", "1430438400000", "0", "-86400000", ""}},
		{"datetime", "communications", "last_reply_at", []string{"2020-02-29T03:30:17.000Z", "2020-02-29T03:30:17+02:00", "2020-02-29T03:30:17Z", "1635535865000", ""}},
		{"timestamp", "communications", "hs_timestamp", []string{"2024-05-01T10:00:00Z", "1714557600000"}},
		{"select by value", "communications", "sentiment", []string{"pos", "neu", "neg", ""}},
		{"channel", "communications", "hs_communication_channel_type", []string{"WHATS_APP", "LINKEDIN_MESSAGE", "SMS"}},
		{"checkbox", "communications", "topics", []string{"BILLING", "BILLING;SUPPORT", ";FEEDBACK", ""}},
		{"string at the limit", "communications", "hs_communication_body", []string{strings.Repeat("é", 65536), "", "<b>&</b>"}},
		{"owner", "communications", "hubspot_owner_id", []string{"1001"}},
		{"contacts email", "contacts", "email", []string{"a@example.com", ""}},
		{"radio", "contacts", "lifecyclestage", []string{"lead"}},
		{"widget enum", "2-1000001", "color", []string{"red"}},
	}
	_, base := startServer(t, Config{SeedIDs: 10})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, v := range tc.values {
				r := postBatch(t, base, tc.objectType, batchOf(input(itoa(i+1), tc.prop, v)))
				if r.status != 200 {
					t.Errorf("%q: status %d, body %.300s", v, r.status, r.body)
				}
			}
		})
	}
}

// Every refusal of every input is reported, in input order.
func TestPropertyRefusedMany(t *testing.T) {
	s, base := startServer(t, Config{SeedIDs: 10, Now: newTestClock().Now})
	r := postBatch(t, base, "communications", batchOf(
		`{"id":"1","properties":{"nope":"x","message_count":"ten"}}`,
		`{"id":"2","properties":{"hs_communication_body":"fine"}}`,
		`{"id":"3","properties":{"nope":"y","sentiment":"Positive"}}`))
	wantStatus(t, r, 400)
	checkGolden(t, "property-values-not-valid", r.body)
	if got := s.Stats().RecordsApplied; got != 0 {
		t.Errorf("RecordsApplied = %d: a refused batch must apply nothing", got)
	}
	if _, ok := s.Record("communications", "2"); ok {
		t.Error("record 2 written although the batch was refused")
	}
}
