package mapping

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// wireDateTime is the form datetimes are sent in: UTC, milliseconds.
const wireDateTime = "2006-01-02T15:04:05.000Z"

// wireSeconds is the wire form without milliseconds, as exports often write
// UTC times.
const wireSeconds = "2006-01-02T15:04:05Z"

// coerceDate reads v with the date layouts in order and returns it as
// YYYY-MM-DD, v itself when it is already in that form. A layout with a
// time of day contributes only its date, as written. Epoch milliseconds
// must be exactly midnight UTC (docs/hubspot-api.md §9).
func coerceDate(v string, st *settings) (out, why string) {
	outOfRange := false
	for _, l := range st.dates {
		var t time.Time
		switch {
		case l.epoch:
			ms, ok := parseEpoch(v)
			if !ok {
				continue
			}
			t = time.UnixMilli(ms).UTC()
			if h, m, s := t.Clock(); h != 0 || m != 0 || s != 0 || t.Nanosecond() != 0 {
				return "", fmt.Sprintf("is epoch milliseconds at %s UTC, not midnight: a date must be at 00:00:00.000 UTC", t.Format("15:04:05.000"))
			}
		case l.iso:
			it, ok, bad := parseISO(v)
			if !ok || bad {
				outOfRange = outOfRange || bad
				continue
			}
			t = it.wall()
		case l.text == time.DateOnly:
			ok, bad := parseDateOnly(v)
			if ok && !bad {
				return v, "" // the canonical form
			}
			outOfRange = outOfRange || bad
			continue
		default:
			p, err := time.Parse(l.text, v)
			if err != nil {
				outOfRange = outOfRange || isRangeError(err)
				continue
			}
			t = p
		}
		if !inYears(t) {
			return "", "is outside the years 0000 to 9999"
		}
		return t.Format(time.DateOnly), ""
	}
	if outOfRange {
		return "", "is not a day of the calendar (day or month out of range)"
	}
	return "", "is not a date: want " + layoutList(st.dates)
}

// coerceDateTime reads v with the datetime layouts in order and returns the
// instant in the wire form, v itself when it is already in that form. A
// value without a UTC offset is a wall-clock time in st.loc: see inZone for
// the times a DST change skips or repeats.
func coerceDateTime(v string, st *settings) (out, why string) {
	outOfRange := false
	for _, l := range st.datetimes {
		var (
			t     time.Time
			zoned = true
		)
		switch {
		case l.epoch:
			ms, ok := parseEpoch(v)
			if !ok {
				continue
			}
			t = time.UnixMilli(ms)
		case l.iso:
			it, ok, bad := parseISO(v)
			if !ok || bad {
				outOfRange = outOfRange || bad
				continue
			}
			if it.zoned && len(v) == len(wireSeconds) && v[10] == 'T' && v[19] == 'Z' {
				return v[:19] + ".000Z", "" // UTC to the second: add the milliseconds
			}
			t, zoned = it.wall().Add(-time.Duration(it.offset)*time.Second), it.zoned
		default:
			p, err := time.Parse(l.text, v)
			if err != nil {
				outOfRange = outOfRange || isRangeError(err)
				continue
			}
			t, zoned = p, l.zoned
		}
		if !zoned {
			var ok bool
			if t, ok = inZone(t, st.loc); !ok {
				return "", fmt.Sprintf("does not exist in %s: the clocks skip it at a daylight saving change", st.loc)
			}
		}
		t = t.UTC()
		if !inYears(t) {
			return "", "is outside the years 0000 to 9999 in UTC"
		}
		if l.iso && len(v) == len(wireDateTime) && v[10] == 'T' && v[19] == '.' && v[23] == 'Z' {
			return v, ""
		}
		var buf [len(wireDateTime)]byte
		return string(appendWire(buf[:0], t)), ""
	}
	if outOfRange {
		return "", "is not a time of the calendar (a field is out of range)"
	}
	return "", "is not a datetime: want " + layoutList(st.datetimes)
}

// inZone returns the instant at which the wall clock in loc shows p's date
// and time (p is parsed as UTC). When a DST change repeats that wall time
// (autumn), it picks the earlier instant, the first time the clock shows it,
// still on summer time. When a DST change skips it (spring), there is no
// such instant and ok is false: guessing an hour either way would shift the
// data silently.
func inZone(p time.Time, loc *time.Location) (t time.Time, ok bool) {
	if loc == time.UTC {
		return p, true
	}
	y, mo, d := p.Date()
	h, mi, s := p.Clock()
	first := time.Date(y, mo, d, h, mi, s, p.Nanosecond(), loc)
	// Far from a change of offset, time.Date's answer is the only one.
	start, end := first.ZoneBounds()
	const near = 48 * time.Hour
	if (start.IsZero() || first.Sub(start) > near) && (end.IsZero() || end.Sub(first) > near) {
		return first, true
	}
	consider := func(c time.Time) {
		cy, cmo, cd := c.Date()
		ch, cmi, cs := c.Clock()
		if cy == y && cmo == mo && cd == d && ch == h && cmi == mi && cs == s && (!ok || c.Before(t)) {
			t, ok = c, true
		}
	}
	consider(first)
	// The wall time may also belong to the zone periods next to first's,
	// at that period's offset.
	if !start.IsZero() {
		_, off := start.Add(-time.Nanosecond).Zone()
		consider(p.Add(-time.Duration(off) * time.Second).In(loc))
	}
	if !end.IsZero() {
		_, off := end.Zone()
		consider(p.Add(-time.Duration(off) * time.Second).In(loc))
	}
	return t, ok
}

// parseEpoch reads an optional '-' and digits that fit an int64.
func parseEpoch(s string) (int64, bool) {
	d := strings.TrimPrefix(s, "-")
	if d == "" || len(d) > 19 {
		return 0, false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func inYears(t time.Time) bool { y := t.Year(); return y >= 0 && y <= 9999 }

func isRangeError(err error) bool {
	pe, ok := errors.AsType[*time.ParseError](err)
	return ok && strings.HasSuffix(pe.Message, "out of range")
}

func layoutList(ls []layout) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		switch {
		case l.epoch:
			s[i] = "epoch milliseconds"
		case l.iso:
			s[i] = "ISO 8601 (2006-01-02T15:04:05Z, offset optional)"
		default:
			s[i] = l.text
		}
	}
	return strings.Join(s, " or ")
}
