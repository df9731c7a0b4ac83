package sink

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewBaseURL(t *testing.T) {
	tests := []struct {
		name      string
		base      string
		want      string // endpoint, when valid
		wantError string // substring of the error, when not
	}{
		{"default", "", "https://api.hubapi.com/crm/v3/objects/0-18/batch/update", ""},
		{"https", "https://api.hubapi.com/", "https://api.hubapi.com/crm/v3/objects/0-18/batch/update", ""},
		{"https with path prefix", "https://proxy.example.com/hubspot/", "https://proxy.example.com/hubspot/crm/v3/objects/0-18/batch/update", ""},
		{"upper-case scheme", "HTTPS://api.hubapi.com", "https://api.hubapi.com/crm/v3/objects/0-18/batch/update", ""},
		{"http 127.0.0.1", "http://127.0.0.1:8080", "http://127.0.0.1:8080/crm/v3/objects/0-18/batch/update", ""},
		{"http 127.1.2.3", "http://127.1.2.3:8080", "http://127.1.2.3:8080/crm/v3/objects/0-18/batch/update", ""},
		{"http ::1", "http://[::1]:8080", "http://[::1]:8080/crm/v3/objects/0-18/batch/update", ""},
		{"http localhost", "http://LocalHost:9", "http://LocalHost:9/crm/v3/objects/0-18/batch/update", ""},
		{"http remote host", "http://api.hubapi.com", "", "allowed only for loopback hosts"},
		{"http private address", "http://10.0.0.5:8080", "", "allowed only for loopback hosts"},
		{"http localhost look-alike", "http://localhost.evil.com", "", "allowed only for loopback hosts"},
		{"other scheme", "ftp://api.hubapi.com", "", "scheme must be https"},
		{"no scheme", "api.hubapi.com", "", "scheme must be https"},
		{"no host", "https://", "", "has no host"},
		{"credentials", "https://user:secret@api.hubapi.com", "", "must not contain credentials"},
		{"query", "https://api.hubapi.com/?a=b", "", "query or fragment"},
		{"unparsable", "https://api.hubapi.com/%zz", "", "parse base url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Config{BaseURL: tt.base, Token: testToken, ObjectType: "0-18"})
			if tt.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantError) {
					t.Fatalf("New error = %v, want one containing %q", err, tt.wantError)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error shows the URL password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.Endpoint() != tt.want {
				t.Errorf("Endpoint() = %q, want %q", c.Endpoint(), tt.want)
			}
		})
	}
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		want      string
		wantError string
	}{
		{"object type is path-escaped", Config{Token: testToken, ObjectType: "p_my objects/x"},
			"https://api.hubapi.com/crm/v3/objects/p_my%20objects%2Fx/batch/update", ""},
		{"custom object id", Config{Token: testToken, ObjectType: " 2-123 "},
			"https://api.hubapi.com/crm/v3/objects/2-123/batch/update", ""},
		{"empty token", Config{Token: "  ", ObjectType: "0-18"}, "", "token is empty"},
		{"token with a newline inside", Config{Token: "pat-na1\nX-Evil: 1", ObjectType: "0-18"}, "", "not allowed in an HTTP header"},
		{"empty object type", Config{Token: testToken}, "", "object type is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if tt.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantError) {
					t.Fatalf("New error = %v, want one containing %q", err, tt.wantError)
				}
				if tok := strings.TrimSpace(tt.cfg.Token); tok != "" && strings.Contains(err.Error(), tok) {
					t.Errorf("error shows the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.Endpoint() != tt.want {
				t.Errorf("Endpoint() = %q, want %q", c.Endpoint(), tt.want)
			}
		})
	}
}

func TestTokenNeverPrinted(t *testing.T) {
	cfg := Config{Token: testToken, ObjectType: "0-18", IDProperty: "ext_id"}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		s    string
	}{
		{"Config %v", fmt.Sprintf("%v", cfg)},
		{"Config %+v", fmt.Sprintf("%+v", cfg)},
		{"Config %#v", fmt.Sprintf("%#v", cfg)},
		{"Config %s", fmt.Sprintf("%s", cfg)},
		{"*Config %v", fmt.Sprintf("%v", &cfg)},
		{"Client %v", fmt.Sprintf("%v", c)},
		{"Client %+v", fmt.Sprintf("%+v", c)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.s, testToken) {
				t.Errorf("output shows the token: %s", tt.s)
			}
		})
	}
}

func TestDefaultHTTPClient(t *testing.T) {
	hc := defaultHTTPClient(0)
	tr, ok := hc.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T", hc.Transport)
	}
	if hc.Timeout != 90*time.Second || tr.TLSHandshakeTimeout != 10*time.Second ||
		tr.ResponseHeaderTimeout != 60*time.Second || tr.MaxIdleConnsPerHost < 16 {
		t.Errorf("client timeout %v, transport %+v", hc.Timeout, tr)
	}
	if hc.CheckRedirect == nil || hc.CheckRedirect(nil, nil) != http.ErrUseLastResponse {
		t.Error("default client follows redirects")
	}
	short := defaultHTTPClient(2 * time.Second)
	if short.Timeout != 2*time.Second || short.Transport.(*http.Transport).ResponseHeaderTimeout != 2*time.Second {
		t.Errorf("Timeout 2s gives client timeout %v", short.Timeout)
	}
}
