package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxStringLen is HubSpot's documented limit on string values (docs/hubspot-api.md §9).
const maxStringLen = 65536

// Error codes of property validation (docs/hubspot-api.md §7, §5).
const (
	codeNoProperty   = "PROPERTY_DOESNT_EXIST"
	codeReadOnly     = "READ_ONLY_VALUE"
	codeNumber       = "INVALID_INTEGER"
	codeBool         = "INVALID_BOOLEAN"  // [U]
	codeDate         = "INVALID_DATE"     // observed on batch create
	codeDatetime     = "INVALID_DATETIME" // [U]
	codeOption       = "INVALID_OPTION"
	codeStringLength = "INVALID_STRING_LENGTH" // [U]
)

// propIssue is one refused property value of one input.
type propIssue struct {
	name, code, message string
}

// checkProperty validates value for the property called name of ot.
// The empty string clears any writable property (docs/hubspot-api.md §7, §9). Read-only
// properties are refused even though the 2024 communications guide said they
// are ignored: the reference pages say error, and an error is the strict
// choice (docs/hubspot-api.md §13, question 1).
func checkProperty(ot *objType, name, value string) (propIssue, bool) {
	p, ok := ot.props[name]
	if !ok {
		return propIssue{name, codeNoProperty, fmt.Sprintf("Property %q does not exist", name)}, false
	}
	if p.calculated {
		return propIssue{name, codeReadOnly, fmt.Sprintf("%q is a calculated property; its value cannot be set", name)}, false
	}
	if p.readOnly {
		return propIssue{name, codeReadOnly, fmt.Sprintf("%q is a read only property; its value cannot be set", name)}, false
	}
	if value == "" {
		return propIssue{}, true
	}
	bad := func(code, format string, args ...any) (propIssue, bool) {
		return propIssue{name, code, fmt.Sprintf(format, args...)}, false
	}
	switch p.kind {
	case kindString:
		if n := utf8.RuneCountInString(value); n > maxStringLen {
			return bad(codeStringLength, "%s was %d characters long; the maximum is %d", name, n, maxStringLen)
		}
	case kindNumber:
		if !isNumber(value) {
			return bad(codeNumber, "%s was not a valid number", value)
		}
	case kindBool:
		if value != "true" && value != "false" {
			return bad(codeBool, "%s was not a valid boolean, expected true or false", value)
		}
	case kindDate:
		if msg, ok := checkDate(value); !ok {
			return bad(codeDate, "%s", msg)
		}
	case kindDatetime:
		if !isDatetime(value) {
			return bad(codeDatetime, "%s was not a valid datetime, expected ISO 8601 with a time zone or epoch milliseconds", value)
		}
	case kindEnum:
		for _, v := range enumValues(p, value) {
			if _, ok := p.options[v]; !ok {
				return bad(codeOption, "%s was not one of the allowed options: %s", v, p.optionList)
			}
		}
	}
	return propIssue{}, true
}

// enumValues splits an enumeration value into the option values it names.
// Single-select properties take the value whole. Checkbox properties take
// values joined by ';' with no spaces; one leading ';' means "append"
// (docs/hubspot-api.md §9). Empty parts ("A;;B", "A;") are kept, so they fail as
// options: the documented format has none.
func enumValues(p *prop, value string) []string {
	if !p.multi {
		return []string{value}
	}
	return strings.Split(strings.TrimPrefix(value, ";"), ";")
}

// isNumber: optional sign, digits, at most one decimal point with digits on
// both sides, optional exponent (docs/hubspot-api.md §9 mentions scientific notation
// for field type number). "1." and ".5" are refused: the documented format is
// "digits with at most one decimal point", and refusing is the strict reading.
func isNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	i, ok := digits(s, i)
	if !ok {
		return false
	}
	if i < len(s) && s[i] == '.' {
		if i, ok = digits(s, i+1); !ok {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i, ok = digits(s, i); !ok {
			return false
		}
	}
	return i == len(s)
}

// digits skips one or more ASCII digits from i.
func digits(s string, i int) (int, bool) {
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	return j, j > i
}

// isEpochMillis: an optional '-' and digits that fit an int64.
func isEpochMillis(s string) (int64, bool) {
	d := strings.TrimPrefix(s, "-")
	if d == "" {
		return 0, false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false // also spares ParseInt's error allocation on ISO strings
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// checkDate accepts "YYYY-MM-DD" naming a real calendar day, or epoch
// milliseconds exactly at 00:00:00.000 UTC (docs/hubspot-api.md §9).
func checkDate(s string) (string, bool) {
	if ms, ok := isEpochMillis(s); ok {
		t := time.UnixMilli(ms).UTC()
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
			return "", true
		}
		return fmt.Sprintf("%s is at %s UTC, not midnight!", s, t.Format("15:04:05.000")), false
	}
	if len(s) == len("2006-01-02") {
		if _, err := time.Parse(time.DateOnly, s); err == nil { // rejects 2023-02-29
			return "", true
		}
	}
	return fmt.Sprintf("%s is not a valid date, expected YYYY-MM-DD or epoch milliseconds at midnight UTC", s), false
}

// isDatetime accepts ISO 8601 with a date, a time and a zone (Z or ±hh:mm),
// or epoch milliseconds (docs/hubspot-api.md §9). A value without a zone is refused:
// HubSpot would have to guess one.
func isDatetime(s string) bool {
	if _, ok := isEpochMillis(s); ok {
		return true
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}
