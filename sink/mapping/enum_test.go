package mapping

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hubsync/hubsync/sink"
)

func TestCoerceBool(t *testing.T) {
	tests := []struct{ in, want string }{
		{"true", "true"}, {"TRUE", "true"}, {"Yes", "true"}, {"y", "true"}, {"1", "true"}, {"on", "true"},
		{"false", "false"}, {"False", "false"}, {"NO", "false"}, {"n", "false"}, {"0", "false"}, {"off", "false"},
		{" \u200b1\u00a0", "true"},
		{"2", CodeInvalidBoolean}, {"ja", CodeInvalidBoolean}, {"t", CodeInvalidBoolean}, {"yes!", CodeInvalidBoolean},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			out, send, code, why := targetOf(t, Config{}, "is_priority").coerce(tt.in)
			if got := outcome(out, send, code); got != tt.want {
				t.Errorf("coerce(%q) = %q (%s), want %q", tt.in, got, why, tt.want)
			}
		})
	}
}

func TestCoerceOption(t *testing.T) {
	labels := Config{MatchLabels: true}
	tests := []struct {
		name     string
		cfg      Config
		property string
		in, want string
	}{
		{"exact value", Config{}, "sentiment", "pos", "pos"},
		{"value ignoring case", Config{}, "sentiment", "POS", "pos"},
		{"label refused without match_labels", Config{}, "sentiment", "Positive", CodeInvalidOption},
		{"label", labels, "sentiment", "Positive", "pos"},
		{"label ignoring case", labels, "sentiment", "nEGATIVE", "neg"},
		{"label with inner nbsp", labels, "hubspot_owner_id", "Ada\u00a0Lovelace", "1001"},
		{"override enables labels", Config{Properties: map[string]PropertyConfig{"sentiment": {MatchLabels: ptr(true)}}},
			"sentiment", "neutral", "neu"},
		{"override disables labels", Config{MatchLabels: true, Properties: map[string]PropertyConfig{"sentiment": {MatchLabels: ptr(false)}}},
			"sentiment", "neutral", CodeInvalidOption},
		{"unknown", labels, "sentiment", "happy", CodeInvalidOption},
		{"surrounding invisibles", Config{}, "hs_communication_channel_type", "\ufeffSMS\u200b", "SMS"},
		{"single select takes the whole value", Config{}, "sentiment", "pos;neg", CodeInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, send, code, why := targetOf(t, tt.cfg, tt.property).coerce(tt.in)
			if got := outcome(out, send, code); got != tt.want {
				t.Errorf("coerce(%q) = %q (%s), want %q", tt.in, got, why, tt.want)
			}
		})
	}
}

func TestCoerceMulti(t *testing.T) {
	comma := Config{MultiSeparator: ",", MatchLabels: true}
	tests := []struct {
		name string
		cfg  Config
		in   string
		want string
	}{
		{"canonical", Config{}, "A;B", "A;B"},
		{"comma and spaces, case", comma, "a, b", "A;B"},
		{"labels", comma, "Alpha, gamma", "A;C"},
		{"leading separator appends", comma, ",b", ";B"},
		{"leading semicolon appends", Config{}, ";A;C", ";A;C"},
		{"two leading semicolons", Config{}, ";;A", ";A"},
		{"leading space then semicolon", Config{}, "; ;A", ";A"},
		{"empty parts skipped", comma, "a,,b,", "A;B"},
		{"separators only", comma, ", ,", "<skip>"},
		{"spaces around semicolons", Config{}, " A ; B ", "A;B"},
		{"unknown part", comma, "a, z", CodeInvalidOption},
		{"label refused without match_labels", Config{}, "Alpha", CodeInvalidOption},
		{"default separator does not split commas", Config{}, "A,B", CodeInvalidOption},
		{"override separator", Config{Properties: map[string]PropertyConfig{"tags": {MultiSeparator: "|"}}}, "a|c", "A;C"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, send, code, why := targetOf(t, tt.cfg, "tags").coerce(tt.in)
			if got := outcome(out, send, code); got != tt.want {
				t.Errorf("coerce(%q) = %q (%s), want %q", tt.in, got, why, tt.want)
			}
		})
	}
}

func TestOptionMessages(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		prop string
		in   string
		want []string // fragments the message must hold
	}{
		{"lists values", Config{}, "sentiment", "happy", []string{"pos, neu, neg"}},
		{"points at the label", Config{}, "sentiment", "Positive", []string{`label of option "pos"`, "pass --match-labels (mapping.match_labels in a config file)"}},
		{"lists labels too", Config{MatchLabels: true}, "sentiment", "happy", []string{"Positive, Neutral, Negative"}},
		{"names the bad part", Config{}, "tags", "A;Z", []string{`"Z"`, "A, B, C"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, why := targetOf(t, tt.cfg, tt.prop).coerce(tt.in)
			for _, w := range tt.want {
				if !strings.Contains(why, w) {
					t.Errorf("message %q lacks %q", why, w)
				}
			}
		})
	}
}

func TestOptionsAmbiguousIgnoringCase(t *testing.T) {
	p := sink.Property{Name: "x", Type: "enumeration", FieldType: "select", Options: []sink.Option{
		{Label: "Other", Value: "a"}, {Label: "other", Value: "A"}, {Label: "One", Value: "b"}}}
	e := newEnum(&p, &settings{matchLabels: true, multiSep: ";"})
	tests := []struct{ in, want, wantWhy string }{
		{"a", "a", ""},
		{"A", "A", ""},
		{"B", "b", ""},
		{"OTHER", "", "matches the labels"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, why := e.lookup(tt.in)
			if got != tt.want || !strings.Contains(why, tt.wantWhy) || (tt.wantWhy == "") != (why == "") {
				t.Errorf("lookup(%q) = %q, %q; want %q, %q", tt.in, got, why, tt.want, tt.wantWhy)
			}
		})
	}
}

func TestLongOptionListIndexed(t *testing.T) {
	p := sink.Property{Name: "owner", Type: "enumeration", FieldType: "select"}
	for i := range 100 {
		p.Options = append(p.Options, sink.Option{Label: fmt.Sprintf("Owner %d", i), Value: fmt.Sprintf("O%d", i)})
	}
	e := newEnum(&p, &settings{multiSep: ";"})
	if e.index == nil {
		t.Fatal("no index for 100 options")
	}
	for _, in := range []string{"O0", "O99", "o42"} {
		if got, why := e.lookup(in); got != strings.ToUpper(in) {
			t.Errorf("lookup(%q) = %q, %q", in, got, why)
		}
	}
	if _, why := e.lookup("nope"); !strings.Contains(why, "(80 more)") {
		t.Errorf("message %q does not cut the list", why)
	}
}

func TestOptionsUnknownLocally(t *testing.T) {
	p := sink.Property{Name: "owner", Type: "enumeration", FieldType: "select"} // external options, none listed
	tg := newTarget(&p, settings{multiSep: ";"})
	out, send, code, _ := tg.coerce(" 4711 ")
	if got := outcome(out, send, code); got != "4711" {
		t.Errorf("coerce = %q, want the trimmed value passed through", got)
	}
}

func TestHiddenOptionAccepted(t *testing.T) {
	p := sink.Property{Name: "x", Type: "enumeration", FieldType: "radio", Options: []sink.Option{
		{Label: "Old", Value: "old", Hidden: true}, {Label: "New", Value: "new"}}}
	tg := newTarget(&p, settings{multiSep: ";"})
	out, send, code, _ := tg.coerce("old")
	if got := outcome(out, send, code); got != "old" {
		t.Errorf("coerce = %q, want old: HubSpot hides such options from forms, not from the API [U]", got)
	}
}
