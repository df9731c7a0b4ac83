package sink

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// echoForm is one way a server or proxy may echo the token: text is what
// the echoed string holds once decoded from JSON; literal, when set, is
// how it is written in a JSON body instead of text's JSON encoding.
type echoForm struct {
	name    string
	text    string
	literal string
}

func echoForms(tok string) []echoForm {
	each := func(format string) string {
		var b strings.Builder
		for i := 0; i < len(tok); i++ {
			fmt.Fprintf(&b, format, tok[i])
		}
		return b.String()
	}
	return []echoForm{
		{name: "plain", text: "Bearer " + tok},
		{name: "JSON-escaped on the wire", text: tok, literal: `"Bearer ` + each(`\u%04x`) + `"`},
		{name: "JSON-escaped text", text: "token " + each(`\u%04X`) + " refused"},
		{name: "HTML-escaped", text: "<p>Bearer " + each("&#x%x;") + "</p>"},
		{name: "HTML decimal entities", text: "Bearer " + each("&#%d;")},
		{name: "HTML-escaped dashes", text: strings.ReplaceAll(tok, "-", "&#45;")},
		{name: "URL-escaped", text: "https://x.test/?t=" + each("%%%02X")},
		{name: "URL-escaped dashes", text: "t=" + strings.ReplaceAll(tok, "-", "%2d")},
		{name: "clipped to one short", text: "auth: " + tok[:len(tok)-1]},
		{name: "six-character prefix", text: "auth " + tok[:6]},
		{name: "prefix of the escaped form", text: "t=" + each("%%%02X")[:21]},
		{name: "split by a terminal escape", text: tok[:9] + "\x1b[1;31m" + tok[9:]},
		{name: "split by a NUL", text: tok[:20] + "\x00" + tok[20:]},
		{name: "twice", text: "A " + tok + " B " + tok + " C"},
	}
}

// echoPlace is where an answer carries the echo: a status and a body and
// header built around it.
type echoPlace struct {
	name   string
	status int
	header func(text string) http.Header
	body   func(lit string, text string) string
}

func echoPlaces() []echoPlace {
	in400 := func(member string) func(string, string) string {
		return func(lit, _ string) string {
			return fmt.Sprintf(`{"status":"error","message":"m","category":"VALIDATION_ERROR","correlationId":"c",%s}`,
				strings.ReplaceAll(member, "$", lit))
		}
	}
	return []echoPlace{
		{name: "400 message", status: 400, body: in400(`"message":$`)},
		{name: "400 category", status: 400, body: in400(`"category":$`)},
		{name: "400 subCategory", status: 400, body: in400(`"subCategory":$`)},
		{name: "400 correlationId", status: 400, body: in400(`"correlationId":$`)},
		{name: "400 context value", status: 400, body: in400(`"context":{"ids":[$]}`)},
		{name: "400 context key", status: 400, body: in400(`"context":{$:["x"]}`)},
		{name: "400 errors[].message", status: 400, body: in400(`"errors":[{"message":$,"code":"INVALID_OPTION"}]`)},
		{name: "400 errors[].code", status: 400, body: in400(`"errors":[{"message":"m","code":$}]`)},
		{name: "400 errors[].in", status: 400, body: in400(`"errors":[{"in":$}]`)},
		{name: "400 errors[].subCategory", status: 400, body: in400(`"errors":[{"subCategory":$}]`)},
		{name: "400 errors[].context", status: 400, body: in400(`"errors":[{"code":"X","context":{"propertyName":[$],$:["y"]}}]`)},
		{name: "400 message with embedded property errors", status: 400,
			body: func(lit, text string) string {
				inner, _ := json.Marshal([]map[string]any{{"isValid": false, "message": text, "error": text, "name": text}})
				msg, _ := json.Marshal("Property values were not valid: " + string(inner))
				return `{"status":"error","category":"VALIDATION_ERROR","message":` + string(msg) + `}`
			}},
		{name: "429 policyName and errorType", status: 429,
			body: func(lit, _ string) string {
				return `{"status":"error","errorType":` + lit + `,"policyName":` + lit + `}`
			}},
		{name: "401 correlation id header", status: 401,
			header: func(text string) http.Header { return http.Header{"X-Hubspot-Correlation-Id": {text}} },
			body:   func(string, string) string { return `{"message":"no"}` }},
		{name: "502 non-JSON body", status: 502,
			body: func(_, text string) string { return "<html><body>Bad gateway: " + text + "</body></html>" }},
		{name: "502 body cut at 200 bytes", status: 502,
			body: func(_, text string) string { return strings.Repeat("x", 190) + " " + text }},
		{name: "503 JSON cut short", status: 503,
			body: func(lit, _ string) string { return `{"message":` + lit[:len(lit)-3] }},
		{name: "207 errors[].category", status: 207,
			body: func(lit, _ string) string {
				return `{"status":"COMPLETE","results":[{"id":"1001"}],"errors":[{"category":` + lit + `,"message":"m","context":{"ids":["1002"]}}]}`
			}},
		{name: "207 errors[].message", status: 207,
			body: func(lit, _ string) string {
				return `{"status":"COMPLETE","results":[{"id":"1001"}],"errors":[{"category":"OBJECT_NOT_FOUND","message":` + lit + `,"context":{"ids":["1002"]}}]}`
			}},
		{name: "207 blank ids", status: 207,
			body: func(lit, _ string) string {
				return `{"status":"COMPLETE","errors":[{"category":"A","message":` + lit + `,"context":{"ids":[""]}},{"category":` + lit + `,"message":"x","context":{"ids":[""]}}]}`
			}},
		{name: "200 status", status: 200,
			body: func(lit, _ string) string { return `{"status":` + lit + `,"results":[{"id":"1001"},{"id":"1002"}]}` }},
		{name: "200 correlation id header", status: 200,
			header: func(text string) http.Header { return http.Header{"X-Hubspot-Correlation-Id": {text}} },
			body:   func(string, string) string { return `{"status":"COMPLETE","results":[{"id":"1001"},{"id":"1002"}]}` }},
	}
}

// TestServerStringsScrubbed: whatever a server echoes of the token, and
// wherever, neither the token nor any six-character prefix of it, nor a
// terminal control character, comes back from UpdateBatch.
func TestServerStringsScrubbed(t *testing.T) {
	for _, place := range echoPlaces() {
		for _, form := range echoForms(testToken) {
			t.Run(place.name+"/"+form.name, func(t *testing.T) {
				lit := form.literal
				if lit == "" {
					b, _ := json.Marshal(form.text)
					lit = string(b)
				}
				var h http.Header
				if place.header != nil {
					if strings.ContainsFunc(form.text, isControl) {
						t.Skip("a header value cannot hold control characters")
					}
					h = place.header(form.text)
				}
				body := place.body(lit, form.text)
				c := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					for k, v := range h {
						w.Header()[k] = v
					}
					w.WriteHeader(place.status)
					_, _ = io.WriteString(w, body)
				}))
				res, err := c.UpdateBatch(context.Background(), inputsFor("1001", "1002"))
				var got []string
				if err != nil {
					got = append(got, err.Error(), fmt.Sprintf("%+v", err))
					if e, ok := err.(interface{ Unwrap() error }); ok {
						got = append(got, serverStrings(e.Unwrap())...)
					}
				}
				got = append(got, serverStrings(res)...)
				checkScrubbed(t, testToken, got)
			})
		}
	}
}

// TestPropertiesScrubbed: the same for the properties preflight, with the
// echo in every field of an error body, and in a 200 listing.
func TestPropertiesScrubbed(t *testing.T) {
	for _, form := range echoForms(testToken) {
		b, _ := json.Marshal(form.text)
		lit := string(b)
		if form.literal != "" {
			lit = form.literal
		}
		for _, tt := range []struct {
			name   string
			status int
			body   string
		}{
			{"403 every field", 403, strings.ReplaceAll(`{"status":"error","message":$,"category":$,"subCategory":$,"correlationId":$,`+
				`"context":{$:[$]},"errors":[{"message":$,"code":$,"in":$,"subCategory":$,"context":{"requiredScopes":[$]}}]}`, "$", lit)},
			{"200 every field", 200, strings.ReplaceAll(`{"results":[{"name":"n1","label":$,"type":$,"fieldType":$,`+
				`"options":[{"label":$,"value":"v"},{"label":"l","value":$}]},{"name":$,"label":"x"}]}`, "$", lit)},
		} {
			t.Run(tt.name+"/"+form.name, func(t *testing.T) {
				c := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(tt.status)
					_, _ = io.WriteString(w, tt.body)
				}))
				props, err := c.Properties(context.Background())
				var got []string
				if err != nil {
					got = append(got, err.Error(), fmt.Sprintf("%+v", err))
				}
				if e, ok := err.(interface{ Unwrap() error }); ok {
					got = append(got, serverStrings(e.Unwrap())...)
				}
				got = append(got, serverStrings(props)...)
				checkScrubbed(t, testToken, got)
			})
		}
	}
}

// TestTransportErrorScrubbed: Go's HTTP client quotes a malformed status
// line in its error; a server can put the token there.
func TestTransportErrorScrubbed(t *testing.T) {
	for _, form := range echoForms(testToken) {
		if strings.ContainsAny(form.text, "\r\n") {
			continue
		}
		t.Run(form.name, func(t *testing.T) {
			c := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				conn, buf, err := w.(http.Hijacker).Hijack()
				if err != nil {
					t.Errorf("hijack: %v", err)
					return
				}
				_, _ = buf.WriteString("HTTP/1.1 2" + form.text + " OK\r\n\r\n")
				_ = buf.Flush()
				_ = conn.Close()
			}))
			_, err := c.UpdateBatch(context.Background(), inputsFor("1"))
			if err == nil {
				t.Fatal("UpdateBatch succeeded on a malformed status line")
			}
			checkScrubbed(t, testToken, []string{err.Error(), fmt.Sprintf("%+v", err)})
		})
	}
}

func checkScrubbed(t *testing.T, tok string, got []string) {
	t.Helper()
	for _, s := range got {
		if strings.Contains(s, tokenPrefix(tok)) {
			t.Errorf("a returned string holds a prefix of the token: %q", s)
		}
		if decoded := unescapeAll(s); strings.Contains(decoded, tokenPrefix(tok)) {
			t.Errorf("a returned string holds an escaped prefix of the token: %q", s)
		}
		if strings.ContainsFunc(s, isControl) || !utf8.ValidString(s) {
			t.Errorf("a returned string holds a control character or invalid UTF-8: %q", s)
		}
	}
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\t') || (r >= 0x7f && r <= 0x9f)
}

// serverStrings returns every string held in v, in struct fields, slices
// and maps (keys too), however deep.
func serverStrings(v any) []string {
	var out []string
	var walk func(reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			out = append(out, v.String())
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Key())
				walk(it.Value())
			}
		}
	}
	walk(reflect.ValueOf(v))
	return out
}

// FuzzServerText: whatever a server sends and whatever the token, what
// serverText returns holds no start of the token, plain or escaped, no
// terminal control character, and only valid UTF-8.
func FuzzServerText(f *testing.F) {
	for _, form := range echoForms(testToken) {
		f.Add(form.text, testToken)
	}
	f.Add("<redacted> [withheld]", "redacted-x")
	f.Add("\x1b[31mred\x1b]0;title\x07\x9b2J\xc2\x9b", "tok")
	f.Fuzz(func(t *testing.T, s, token string) {
		if token == "" || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
			return // New refuses such a token
		}
		got := serverText(s, token)
		checkScrubbed(t, token, []string{got})
	})
}
