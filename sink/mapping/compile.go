package mapping

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
)

// layout is a compiled entry of a layout list.
type layout struct {
	text  string
	epoch bool // EpochMillis
	iso   bool // ISO8601
	zoned bool // a Go layout that carries a UTC offset
}

// settings are the coercion settings of one property, defaults applied.
type settings struct {
	clear        bool
	thousands    string
	decimalComma bool
	dates        []layout
	datetimes    []layout
	loc          *time.Location
	matchLabels  bool
	multiSep     string
}

// compiled is a validated Config: global settings and per-property ones.
type compiled struct {
	global settings
	props  map[string]settings
}

func (c *Config) compile() (*compiled, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("mapping."+format, args...)) }

	for _, col := range slices.Sorted(maps.Keys(c.Columns)) {
		switch {
		case strings.TrimSpace(col) == "":
			bad("columns: a column with an empty name")
		case strings.TrimSpace(c.Columns[col]) == "":
			bad("columns.%s: empty property name; use \"-\" to drop the column", col)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(c.Constants)) {
		if strings.TrimSpace(p) == "" {
			bad("constants: a property with an empty name")
		}
	}

	out := &compiled{props: make(map[string]settings, len(c.Properties))}
	g := settings{loc: time.UTC, multiSep: ";"}
	g.clear = checkEmpty(c.Empty, "empty", bad)
	g.decimalComma = c.DecimalComma
	g.thousands = checkThousands(c.ThousandsSeparator, c.DecimalComma, "thousands_separator", bad)
	g.dates = checkLayouts(c.DateLayouts, defaultDateLayouts, false, "date_layouts", bad)
	g.datetimes = checkLayouts(c.DateTimeLayouts, defaultDateTimeLayouts, true, "datetime_layouts", bad)
	if c.TimeZone != "" {
		g.loc = checkZone(c.TimeZone, "time_zone", bad)
	}
	g.matchLabels = c.MatchLabels
	if c.MultiSeparator != "" {
		g.multiSep = c.MultiSeparator
	}
	out.global = g

	for _, name := range slices.Sorted(maps.Keys(c.Properties)) {
		if strings.TrimSpace(name) == "" {
			bad("properties: a property with an empty name")
			continue
		}
		pc, s, key := c.Properties[name], g, "properties."+name+"."
		if pc.Empty != "" {
			s.clear = checkEmpty(pc.Empty, key+"empty", bad)
		}
		if pc.DecimalComma != nil {
			s.decimalComma = *pc.DecimalComma
		}
		if pc.ThousandsSeparator != nil || pc.DecimalComma != nil {
			sep := c.ThousandsSeparator
			if pc.ThousandsSeparator != nil {
				sep = *pc.ThousandsSeparator
			}
			s.thousands = checkThousands(sep, s.decimalComma, key+"thousands_separator", bad)
		}
		if pc.DateLayouts != nil {
			s.dates = checkLayouts(pc.DateLayouts, nil, false, key+"date_layouts", bad)
		}
		if pc.DateTimeLayouts != nil {
			s.datetimes = checkLayouts(pc.DateTimeLayouts, nil, true, key+"datetime_layouts", bad)
		}
		if pc.TimeZone != "" {
			s.loc = checkZone(pc.TimeZone, key+"time_zone", bad)
		}
		if pc.MatchLabels != nil {
			s.matchLabels = *pc.MatchLabels
		}
		if pc.MultiSeparator != "" {
			s.multiSep = pc.MultiSeparator
		}
		out.props[name] = s
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// settingsFor returns the settings of the property called name.
func (c *compiled) settingsFor(name string) settings {
	if s, ok := c.props[name]; ok {
		return s
	}
	return c.global
}

func checkEmpty(v, key string, bad func(string, ...any)) bool {
	switch {
	case v == "" || strings.EqualFold(strings.TrimSpace(v), EmptySkip):
		return false
	case strings.EqualFold(strings.TrimSpace(v), EmptyClear):
		return true
	}
	bad("%s %q: want %q or %q", key, v, EmptySkip, EmptyClear)
	return false
}

// checkThousands validates a thousands separator and returns it as values
// will show it after cleaning: a Unicode space becomes ' '.
func checkThousands(sep string, decimalComma bool, key string, bad func(string, ...any)) string {
	if sep == "" {
		return ""
	}
	if r := []rune(sep); len(r) == 1 && unicode.IsSpace(r[0]) {
		return " "
	}
	mark := "."
	if decimalComma {
		mark = ","
	}
	switch {
	case strings.ContainsAny(sep, "0123456789+-eE"):
		bad("%s %q: it must not contain digits, signs or 'e'", key, sep)
	case strings.Contains(sep, mark) && decimalComma:
		bad("%s: thousands separator %q is also the decimal mark under decimal_comma", key, sep)
	case strings.Contains(sep, mark):
		bad("%s: thousands separator %q is also the decimal mark; set decimal_comma: true for numbers like 1.234,5", key, sep)
	case strings.TrimSpace(sep) != sep:
		bad("%s %q: surrounding spaces are not allowed", key, sep)
	}
	return sep
}

// Go layouts are checked by formatting refTime and parsing it back: a layout
// written as "YYYY-MM-DD" (plain text to Go) loses the year.
var refTime = time.Date(2034, time.November, 23, 13, 45, 56, 0, time.FixedZone("", 5*3600+1800))

func checkLayouts(list, defaults []string, withTime bool, key string, bad func(string, ...any)) []layout {
	if list == nil {
		list = defaults
	}
	if len(list) == 0 {
		bad("%s is empty: leave it out for the default, or list at least one layout", key)
		return nil
	}
	out := make([]layout, 0, len(list))
	for _, l := range list {
		if l == EpochMillis || l == ISO8601 {
			out = append(out, layout{text: l, epoch: l == EpochMillis, iso: l == ISO8601})
			continue
		}
		if strings.Contains(l, "MST") {
			bad("%s: layout %q: zone abbreviations are ambiguous; use Z07:00 or -0700", key, l)
			continue
		}
		p, err := time.Parse(l, refTime.Format(l))
		y, m, d := p.Date()
		ry, rm, rd := refTime.Date()
		switch {
		case err != nil || y != ry || m != rm || d != rd:
			bad("%s: layout %q lacks a year, month or day: Go layouts are written with the reference time, as in 2006-01-02 15:04:05 -07:00", key, l)
			continue
		case withTime && (p.Hour() != refTime.Hour() || p.Minute() != refTime.Minute()):
			bad("%s: layout %q lacks hours and minutes (15:04, or 3:04PM with PM)", key, l)
			continue
		}
		_, off := p.Zone()
		_, refOff := refTime.Zone()
		out = append(out, layout{text: l, zoned: off == refOff})
	}
	return out
}

func checkZone(name, key string, bad func(string, ...any)) *time.Location {
	if strings.EqualFold(name, "Local") {
		bad("%s %q: name an IANA zone such as Europe/Berlin; Local differs between machines", key, name)
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		bad("%s %q: %v", key, name, err)
		return time.UTC
	}
	return loc
}
