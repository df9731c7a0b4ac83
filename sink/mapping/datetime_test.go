package mapping

import (
	"testing"
	"time"
)

func TestCoerceDate(t *testing.T) {
	dmy := Config{DateLayouts: []string{"02/01/2006", EpochMillis}}
	tests := []struct {
		name string
		cfg  Config
		in   string
		want string
	}{
		{"canonical", Config{}, "2024-05-01", "2024-05-01"},
		{"leap day", Config{}, "2024-02-29", "2024-02-29"},
		{"leap day of a common year", Config{}, "2023-02-29", CodeInvalidDate},
		{"february 30", Config{}, "2024-02-30", CodeInvalidDate},
		{"month 13", Config{}, "2024-13-01", CodeInvalidDate},
		{"one-digit month", Config{}, "2024-5-01", CodeInvalidDate},
		{"century leap day", Config{}, "2000-02-29", "2000-02-29"},
		{"century common year", Config{}, "1900-02-29", CodeInvalidDate},
		{"surrounding invisibles", Config{}, "\ufeff2024-05-01\u200b ", "2024-05-01"},
		{"datetime refused", Config{}, "2024-05-01T00:00:00Z", CodeInvalidDate},
		{"epoch ms at midnight", Config{}, "1430438400000", "2015-05-01"},
		{"epoch ms not at midnight", Config{}, "1635535865000", CodeInvalidDate},
		{"epoch ms one ms past midnight", Config{}, "1430438400001", CodeInvalidDate},
		{"negative epoch ms", Config{}, "-86400000", "1969-12-31"},
		{"epoch past year 9999", Config{}, "253402300800000", CodeInvalidDate},
		{"day first layout", dmy, "29/02/2024", "2024-02-29"},
		{"day first layout, common year", dmy, "29/02/2023", CodeInvalidDate},
		{"day first layout refuses ISO", dmy, "2024-02-29", CodeInvalidDate},
		{"epoch ms not listed", Config{DateLayouts: []string{"2006-01-02"}}, "1430438400000", CodeInvalidDate},
		{"layout with a time keeps the date", Config{DateLayouts: []string{"2006-01-02 15:04"}}, "2024-03-01 23:30", "2024-03-01"},
		{"override layouts", Config{Properties: map[string]PropertyConfig{"follow_up_date": {DateLayouts: []string{"Jan 2, 2006"}}}},
			"Feb 29, 2024", "2024-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, send, code, why := targetOf(t, tt.cfg, "follow_up_date").coerce(tt.in)
			if got := outcome(out, send, code); got != tt.want {
				t.Errorf("coerce(%q) = %q (%s), want %q", tt.in, got, why, tt.want)
			}
		})
	}
}

func TestCoerceDateTime(t *testing.T) {
	berlin := Config{TimeZone: "Europe/Berlin"}
	newYork := Config{TimeZone: "America/New_York"}
	tests := []struct {
		name string
		cfg  Config
		in   string
		want string
	}{
		{"wire form kept", Config{}, "2024-05-01T10:00:00.000Z", "2024-05-01T10:00:00.000Z"},
		{"Z without fraction", Config{}, "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.000Z"},
		{"offset with colon", Config{}, "2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00.000Z"},
		{"offset without colon", Config{}, "2024-05-01T12:00:00+0200", "2024-05-01T10:00:00.000Z"},
		{"space and offset", Config{}, "2024-05-01 05:00:00-05:00", "2024-05-01T10:00:00.000Z"},
		{"microseconds truncated", Config{}, "2024-05-01T10:00:00.123987Z", "2024-05-01T10:00:00.123Z"},
		{"no offset is UTC by default", Config{}, "2024-05-01 10:00:00", "2024-05-01T10:00:00.000Z"},
		{"no seconds", Config{}, "2024-05-01T10:00", "2024-05-01T10:00:00.000Z"},
		{"epoch ms", Config{}, "1714557600000", "2024-05-01T10:00:00.000Z"},
		{"leap day", Config{}, "2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"},
		{"leap day of a common year", Config{}, "2023-02-29T12:00:00Z", CodeInvalidDateTime},
		{"hour 24", Config{}, "2024-05-01T24:00:00Z", CodeInvalidDateTime},
		{"date only", Config{}, "2024-05-01", CodeInvalidDateTime},
		{"garbage", Config{}, "yesterday", CodeInvalidDateTime},
		{"year 10000 after conversion", Config{}, "9999-12-31T23:30:00-01:00", CodeInvalidDateTime},

		// Europe/Berlin: 2024-03-31 02:00 CET → 03:00 CEST; 2024-10-27 03:00 CEST → 02:00 CET.
		{"Berlin before spring forward", berlin, "2024-03-31 01:30", "2024-03-31T00:30:00.000Z"},
		{"Berlin skipped hour", berlin, "2024-03-31 02:30", CodeInvalidDateTime},
		{"Berlin after spring forward", berlin, "2024-03-31 03:30", "2024-03-31T01:30:00.000Z"},
		{"Berlin before fall back", berlin, "2024-10-27 01:59", "2024-10-26T23:59:00.000Z"},
		{"Berlin repeated hour: first occurrence", berlin, "2024-10-27 02:30", "2024-10-27T00:30:00.000Z"},
		{"Berlin after fall back", berlin, "2024-10-27 03:30", "2024-10-27T02:30:00.000Z"},
		{"Berlin winter", berlin, "2024-01-15T09:00:00", "2024-01-15T08:00:00.000Z"},
		{"Berlin summer", berlin, "2024-07-15T09:00:00", "2024-07-15T07:00:00.000Z"},
		{"explicit offset wins over the zone", berlin, "2024-03-31T02:30:00+01:00", "2024-03-31T01:30:00.000Z"},
		{"epoch ms ignores the zone", berlin, "1714557600000", "2024-05-01T10:00:00.000Z"},

		{"New York skipped hour", newYork, "2024-03-10 02:30", CodeInvalidDateTime},
		{"New York repeated hour: first occurrence", newYork, "2024-11-03 01:30", "2024-11-03T05:30:00.000Z"},

		{"custom layout in a zone", Config{TimeZone: "Europe/Berlin", DateTimeLayouts: []string{"02.01.2006 15:04"}},
			"31.03.2024 03:30", "2024-03-31T01:30:00.000Z"},
		{"override zone", Config{TimeZone: "Europe/Berlin", Properties: map[string]PropertyConfig{
			"last_reply_at": {TimeZone: "Asia/Tokyo"}}}, "2024-05-01 19:00", "2024-05-01T10:00:00.000Z"},
		{"epoch ms not listed", Config{DateTimeLayouts: []string{"2006-01-02 15:04"}}, "1714557600000", CodeInvalidDateTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, send, code, why := targetOf(t, tt.cfg, "last_reply_at").coerce(tt.in)
			if got := outcome(out, send, code); got != tt.want {
				t.Errorf("coerce(%q) = %q (%s), want %q", tt.in, got, why, tt.want)
			}
		})
	}
}

func TestParseISO(t *testing.T) {
	tests := []struct {
		in       string
		want     string // wall time as RFC 3339 in UTC, "" when not ok
		zoned    bool
		offset   int
		rangeErr bool
	}{
		{"2024-05-01T10:00", "2024-05-01T10:00:00Z", false, 0, false},
		{"2024-05-01 10:00:30", "2024-05-01T10:00:30Z", false, 0, false},
		{"2024-05-01T10:00:30.5", "2024-05-01T10:00:30.5Z", false, 0, false},
		{"2024-05-01T10:00:30,123456789Z", "2024-05-01T10:00:30.123456789Z", true, 0, false},
		{"2024-05-01T10:00:30+02:00", "2024-05-01T10:00:30Z", true, 7200, false},
		{"2024-05-01T10:00:30-0530", "2024-05-01T10:00:30Z", true, -19800, false},
		{"2024-05-01T10:00Z", "2024-05-01T10:00:00Z", true, 0, false},
		{"2024-02-29T00:00", "2024-02-29T00:00:00Z", false, 0, false},
		{"2023-02-29T00:00", "", false, 0, true},
		{"2024-05-01T24:00", "", false, 0, true},
		{"2024-05-01T10:60", "", false, 0, true},
		{"2024-05-01T10:00:60", "", false, 0, true},
		{"2024-05-01T10:00+24:00", "", false, 0, true},
		{"2024-05-01T10:00:30.1234567891Z", "", false, 0, false},
		{"2024-05-01T10:00:30.Z", "", false, 0, false},
		{"2024-05-01t10:00", "", false, 0, false},
		{"2024-05-01T1:00", "", false, 0, false},
		{"2024-05-01T10:00+02", "", false, 0, false},
		{"2024-05-01T10:00:00+02:00:00", "", false, 0, false},
		{"2024-05-01T10:00 ", "", false, 0, false},
		{"2024-05-01", "", false, 0, false},
		{"+024-05-01T10:00", "", false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok, bad := parseISO(tt.in)
			if bad != tt.rangeErr || ok != (tt.want != "" || tt.rangeErr) {
				t.Fatalf("parseISO(%q): ok %v, rangeErr %v", tt.in, ok, bad)
			}
			if tt.want == "" {
				return
			}
			if w := got.wall().Format(time.RFC3339Nano); w != tt.want || got.zoned != tt.zoned || got.offset != tt.offset {
				t.Errorf("parseISO(%q) = %s zoned %v offset %d, want %s %v %d", tt.in, w, got.zoned, got.offset, tt.want, tt.zoned, tt.offset)
			}
		})
	}
}

func TestCoerceDateISO(t *testing.T) {
	cfg := Config{DateLayouts: []string{ISO8601, time.DateOnly}}
	tests := []struct{ in, want string }{
		{"2024-05-01T23:00:00-05:00", "2024-05-01"},
		{"2024-05-01 00:00", "2024-05-01"},
		{"2024-05-01", "2024-05-01"},
		{"2023-02-29T00:00:00Z", CodeInvalidDate},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			out, send, code, why := targetOf(t, cfg, "follow_up_date").coerce(tt.in)
			if got := outcome(out, send, code); got != tt.want {
				t.Errorf("coerce(%q) = %q (%s), want %q", tt.in, got, why, tt.want)
			}
		})
	}
}
