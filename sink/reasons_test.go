package sink

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPropertyErrorsAndReason(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		file     string
		want     []PropertyError
		wantCode string
		wantMsg  string
	}{
		{name: "embedded array and errors[] merged", status: 400, file: "400_property_doesnt_exist.json",
			want: []PropertyError{
				{Name: "x", Code: "PROPERTY_DOESNT_EXIST", Message: `Property "x" does not exist`},
				{Name: "y", Code: "PROPERTY_DOESNT_EXIST", Message: `Property "y" does not exist`},
			},
			wantCode: "PROPERTY_DOESNT_EXIST", wantMsg: `Property "x" does not exist; Property "y" does not exist`},
		{name: "embedded array only, INVALID_OPTION", status: 400,
			body:     `{"category":"VALIDATION_ERROR","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"reports was not one of the allowed options: [PRODUCT_ISSUE, BILLING_ISSUE]\",\"error\":\"INVALID_OPTION\",\"name\":\"hs_ticket_category\",\"localizedErrorMessage\":\"x\"}]"}`,
			want:     []PropertyError{{Name: "hs_ticket_category", Code: "INVALID_OPTION", Message: "reports was not one of the allowed options: [PRODUCT_ISSUE, BILLING_ISSUE]"}},
			wantCode: "INVALID_OPTION", wantMsg: "reports was not one of the allowed options: [PRODUCT_ISSUE, BILLING_ISSUE]"},
		{name: "errors[] only, documented shape", status: 400,
			body:     `{"status":"error","message":"This will be a human readable message with details about the error.","errors":[{"message":"discount was not a valid number","code":"INVALID_INTEGER","context":{"propertyName":["discount"]}}],"category":"VALIDATION_ERROR","correlationId":"a43683b0-5717-4ceb-80b4-104d02915d8c"}`,
			want:     []PropertyError{{Name: "discount", Code: "INVALID_INTEGER", Message: "discount was not a valid number"}},
			wantCode: "INVALID_INTEGER", wantMsg: "discount was not a valid number"},
		{name: "two codes for one record", status: 400,
			body: `{"category":"VALIDATION_ERROR","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"1635535865 is at 22:18:55.865 UTC, not midnight!\",\"error\":\"INVALID_DATE\",\"name\":\"d\"},{\"isValid\":false,\"message\":\"Property \\\"x\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"x\"}]"}`,
			want: []PropertyError{
				{Name: "d", Code: "INVALID_DATE", Message: "1635535865 is at 22:18:55.865 UTC, not midnight!"},
				{Name: "x", Code: "PROPERTY_DOESNT_EXIST", Message: `Property "x" does not exist`},
			},
			wantCode: "INVALID_DATE,PROPERTY_DOESNT_EXIST", wantMsg: `1635535865 is at 22:18:55.865 UTC, not midnight!; Property "x" does not exist`},
		{name: "message array cut short", status: 400,
			body:     `{"category":"VALIDATION_ERROR","message":"Property values were not valid: [{\"isValid\":false,\"mess"}`,
			wantCode: "VALIDATION_ERROR", wantMsg: `Property values were not valid: [{"isValid":false,"mess`},
		{name: "duplicate ids has no property errors", status: 400, file: "400_duplicate_ids.json",
			wantCode: "VALIDATION_ERROR", wantMsg: "Duplicate IDs found in batch input: [123456]. IDs must be unique"},
		{name: "no category", status: 409, body: `{"message":"Contact already exists."}`,
			wantCode: "HTTP_409", wantMsg: "Contact already exists."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			if tt.file != "" {
				body = readFixture(t, tt.file)
			}
			e := parseAPIError(tt.status, http.Header{}, body, testToken, testNow)
			if diff := cmp.Diff(tt.want, e.PropertyErrors()); diff != "" {
				t.Errorf("PropertyErrors (-want +got):\n%s", diff)
			}
			code, msg := e.Reason()
			if code != tt.wantCode || msg != tt.wantMsg {
				t.Errorf("Reason() = %q, %q\nwant       %q, %q", code, msg, tt.wantCode, tt.wantMsg)
			}
		})
	}
}
