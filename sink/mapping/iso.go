package mapping

import "time"

// ISO8601 is the pseudo-layout that accepts, in DateLayouts and
// DateTimeLayouts, the ISO 8601 forms exports use:
//
//	YYYY-MM-DD, then T or a space, hh:mm, optionally :ss with a fraction of
//	1 to 9 digits after '.' or ',', then optionally Z, ±hh:mm or ±hhmm.
//
// Without an offset the time is read in the configured time zone. It is
// parsed by hand: trying Go layouts one after another allocates an error per
// miss.
const ISO8601 = "iso8601"

// isoTime is a parsed ISO 8601 value.
type isoTime struct {
	wall   time.Time // the date and time as written, in UTC
	zoned  bool      // an offset was given
	offset int       // seconds east of UTC, when zoned
}

// parseISO parses v in the ISO8601 form. ok is false when v is not in that
// form; rangeErr is true when it is, but a field is out of range (February
// 30, hour 24).
func parseISO(v string) (t isoTime, ok, rangeErr bool) {
	if len(v) < len("2006-01-02T15:04") || v[4] != '-' || v[7] != '-' || (v[10] != 'T' && v[10] != ' ') || v[13] != ':' {
		return t, false, false
	}
	y, ok1 := num(v, 0, 4)
	mo, ok2 := num(v, 5, 2)
	d, ok3 := num(v, 8, 2)
	h, ok4 := num(v, 11, 2)
	mi, ok5 := num(v, 14, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return t, false, false
	}
	s, ns, i := 0, 0, 16
	if i < len(v) && v[i] == ':' {
		var ok bool
		if s, ok = num(v, i+1, 2); !ok {
			return t, false, false
		}
		i += 3
		if i < len(v) && (v[i] == '.' || v[i] == ',') {
			j := i + 1
			for i = j; i < len(v) && i-j < 10 && v[i] >= '0' && v[i] <= '9'; i++ {
				ns = ns*10 + int(v[i]-'0')
			}
			n := i - j
			if n == 0 || n > 9 {
				return t, false, false
			}
			for ; n < 9; n++ {
				ns *= 10
			}
		}
	}
	if i < len(v) {
		switch v[i] {
		case 'Z':
			t.zoned, i = true, i+1
		case '+', '-':
			oh, okh := num(v, i+1, 2)
			k := i + 3
			if k < len(v) && v[k] == ':' {
				k++
			}
			om, okm := num(v, k, 2)
			if !okh || !okm || k+2 != len(v) {
				return t, false, false
			}
			if oh > 23 || om > 59 {
				return t, true, true
			}
			t.zoned, t.offset = true, (oh*60+om)*60
			if v[i] == '-' {
				t.offset = -t.offset
			}
			i = len(v)
		}
	}
	if i != len(v) {
		return t, false, false
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) || h > 23 || mi > 59 || s > 59 {
		return t, true, true
	}
	t.wall = time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
	return t, true, false
}

// num reads n ASCII digits of v at i.
func num(v string, i, n int) (int, bool) {
	if i < 0 || i+n > len(v) {
		return 0, false
	}
	x := 0
	for _, c := range []byte(v[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		x = x*10 + int(c-'0')
	}
	return x, true
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
