package emulator

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Bodies HubSpot's deserializer refuses: 400, no category, a message
// "Invalid input JSON on line L, column C: …" (docs/hubspot-api.md §5).
func TestMalformedBody(t *testing.T) {
	const str = "Cannot deserialize value of type `java.lang.String` from "
	tests := []struct {
		file string
		want string
	}{
		{"top-level-array.json", "line 1, column 1: Cannot deserialize value of type `BatchInputSimplePublicObjectBatchInput` from Array value (token `JsonToken.START_ARRAY`)"},
		{"missing-inputs.json", "line 1, column 2: Missing required creator property 'inputs'"},
		{"null-inputs.json", "line 1, column 12: Null value for creator property 'inputs'"},
		{"inputs-not-array.json", "line 1, column 12: Cannot deserialize value of type `java.util.List<SimplePublicObjectBatchInput>` from Object value (token `JsonToken.START_OBJECT`)"},
		{"properties-not-object.json", "line 3, column 31: Cannot deserialize value of type `java.util.Map<java.lang.String,java.lang.String>` from Array value (token `JsonToken.START_ARRAY`)"},
		{"value-number.json", "line 5, column 39: " + str + "Number value (token `JsonToken.VALUE_NUMBER_INT`)"},
		{"value-null.json", "line 1, column 65: " + str + "Null value (token `JsonToken.VALUE_NULL`)"},
		{"value-bool.json", "line 1, column 55: " + str + "Boolean value (token `JsonToken.VALUE_TRUE`)"},
		{"id-number.json", "line 1, column 20: " + str + "Number value (token `JsonToken.VALUE_NUMBER_INT`)"},
		{"missing-id.json", "line 1, column 58: Missing required creator property 'id'"},
		{"missing-properties.json", "line 1, column 23: Missing required creator property 'properties'"},
		{"null-properties.json", "line 1, column 39: Null value for creator property 'properties'"},
		{"unknown-input-field.json", `line 1, column 43: Unrecognized field "associations" (class SimplePublicObjectBatchInput), not marked as ignorable`},
		{"unknown-top-field.json", `line 1, column 16: Unrecognized field "limit" (class BatchInputSimplePublicObjectBatchInput), not marked as ignorable`},
		{"trailing-comma.json", "line 1, column 42: Unexpected character: was expecting double-quote to start field name"},
		{"unterminated-string.json", "line 1, column 70: Illegal unquoted character ((CTRL-CHAR, code 10)): has to be escaped using backslash to be included in string value"},
		{"trailing-data.json", "line 1, column 45: Unexpected trailing token after the end of the root value"},
		{"bad-escape.json", "line 1, column 65: Unrecognized character escape in String value"},
		{"control-char.json", "line 1, column 67: Illegal unquoted character ((CTRL-CHAR, code 9)): has to be escaped using backslash to be included in string value"},
		{"invalid-utf8.json", "line 1, column 65: Invalid UTF-8 byte in String value"},
		{"empty.json", "line 1, column 1: No content to map due to end-of-input"},
		{"truncated.json", "line 1, column 23: Unexpected end-of-input: expected close marker for Object"},
	}
	_, base := startServer(t, Config{SeedIDs: 10})
	for _, tc := range tests {
		t.Run(strings.TrimSuffix(tc.file, ".json"), func(t *testing.T) {
			r := postBatch(t, base, "communications", fixture(t, "decode/"+tc.file))
			wantStatus(t, r, 400)
			e := decodeErr(t, r)
			if diff := cmp.Diff("Invalid input JSON on "+tc.want, e.Message); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if e.Category != nil {
				t.Errorf("category = %q, want none", *e.Category)
			}
		})
	}
}

func TestDecodeBatchAccepts(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []batchInput
	}{
		{
			name: "all fields",
			body: `{"inputs":[{"id":"7","idProperty":"external_id","objectWriteTraceId":"t1","properties":{"a":"1","b":""}}]}`,
			want: []batchInput{{id: "7", idProperty: "external_id", hasIDProp: true, traceID: "t1", hasTrace: true,
				props: []propValue{{"a", "1"}, {"b", ""}}}},
		},
		{
			name: "null optional fields are absent",
			body: `{"inputs":[{"id":"7","idProperty":null,"objectWriteTraceId":null,"properties":{}}]}`,
			want: []batchInput{{id: "7", props: []propValue{}}},
		},
		{
			name: "escapes and unicode",
			body: "{\"inputs\":[{\"id\":\"1\",\"properties\":{\"b\":\"caf\u00e9 \\\"q\\\" \\u00e9\\n\"}}]}",
			want: []batchInput{{id: "1", props: []propValue{{"b", "café \"q\" é\n"}}}},
		},
		{
			name: "whitespace everywhere",
			body: " \n{ \"inputs\" : [ { \"properties\" : { } , \"id\" : \"2\" } ] } \n",
			want: []batchInput{{id: "2", props: []propValue{}}},
		},
		{
			name: "empty inputs",
			body: `{"inputs":[]}`,
			want: []batchInput{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeBatch([]byte(tc.body), nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(batchInput{}, propValue{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzDecodeBatch: no panic, and an error always points inside the body.
func FuzzDecodeBatch(f *testing.F) {
	f.Add([]byte(`{"inputs":[{"id":"1","properties":{"a":"b"}}]}`))
	f.Add([]byte(`[`))
	f.Add([]byte(`{"inputs":[{"id":"1\u00e9","properties":{"a":"\ud800"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := decodeBatch(body, nil)
		if err == nil {
			return
		}
		if err.line < 1 || err.col < 1 || err.line > 1+strings.Count(string(body), "\n") {
			t.Fatalf("position %d:%d outside body %q", err.line, err.col, body)
		}
	})
}
