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
	y, mo, d, h, mi, s, ns int  // the date and time as written
	zoned                  bool // an offset was given
	offset                 int  // seconds east of UTC, when zoned
}

// wall returns the date and time as written, in UTC. It is not kept in
// isoTime: a value already in the wire form never needs it.
func (t isoTime) wall() time.Time {
	return time.Date(t.y, time.Month(t.mo), t.d, t.h, t.mi, t.s, t.ns, time.UTC)
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
	if !validDate(y, mo, d) || h > 23 || mi > 59 || s > 59 {
		return t, true, true
	}
	t.y, t.mo, t.d, t.h, t.mi, t.s, t.ns = y, mo, d, h, mi, s, ns
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

// parseDateOnly parses exactly YYYY-MM-DD, as time.Parse(time.DateOnly)
// does, without allocating on failure.
func parseDateOnly(v string) (ok, rangeErr bool) {
	if len(v) != len(time.DateOnly) || v[4] != '-' || v[7] != '-' {
		return false, false
	}
	y, ok1 := num(v, 0, 4)
	m, ok2 := num(v, 5, 2)
	d, ok3 := num(v, 8, 2)
	if !ok1 || !ok2 || !ok3 {
		return false, false
	}
	return true, !validDate(y, m, d)
}

func validDate(y, m, d int) bool {
	days := 31
	switch m {
	case 2:
		days = 28
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			days = 29
		}
	case 4, 6, 9, 11:
		days = 30
	}
	return m >= 1 && m <= 12 && d >= 1 && d <= days
}

// appendWire appends t, which must be in UTC, in the wire form
// 2006-01-02T15:04:05.000Z: a tenth of the cost of AppendFormat.
func appendWire(b []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, int(mo), 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, h, 2)
	b = append(b, ':')
	b = appendDigits(b, mi, 2)
	b = append(b, ':')
	b = appendDigits(b, s, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond()/1e6, 3)
	return append(b, 'Z')
}

// appendDigits appends the n lowest decimal digits of x >= 0 (n <= 9).
func appendDigits(b []byte, x, n int) []byte {
	var d [9]byte
	for i := n - 1; i >= 0; i-- {
		d[i] = byte('0' + x%10)
		x /= 10
	}
	return append(b, d[:n]...)
}
