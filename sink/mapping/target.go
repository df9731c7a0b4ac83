package mapping

import (
	"fmt"
	"unicode/utf8"

	"github.com/hubsync/hubsync/sink"
)

// Codes of the source.RecordError that Apply sets.
const (
	CodeInvalidNumber     = "INVALID_NUMBER"
	CodeInvalidBoolean    = "INVALID_BOOLEAN"
	CodeInvalidDate       = "INVALID_DATE"
	CodeInvalidDateTime   = "INVALID_DATETIME"
	CodeInvalidOption     = "INVALID_OPTION"
	CodeUnknownProperty   = "UNKNOWN_PROPERTY"   // JSONL key that is neither mapped nor a property
	CodeReadOnlyProperty  = "READ_ONLY_PROPERTY" // JSONL key naming a read-only property
	CodeValueTooLong      = "VALUE_TOO_LONG"
	CodeDuplicateProperty = "DUPLICATE_PROPERTY" // JSONL: two keys, or a key and a constant, set one property
)

// MaxValueLength is HubSpot's limit on a value, in characters (docs/hubspot-api.md §9).
const MaxValueLength = 65536

// kind is how a property's values are coerced, from its HubSpot type.
type kind uint8

const (
	kindText kind = iota // string, phone_number and any type not listed here
	kindNumber
	kindBool
	kindDate
	kindDateTime
	kindEnum // enumeration with options; fieldType checkbox takes several
)

// target is a writable or read-only property with its resolved settings.
// It is read-only after newTarget, so Mappers share it between goroutines.
type target struct {
	id       int // index among the Mapper's targets, for an Applier's memo
	name     string
	kind     kind
	readOnly string // "" when writable, else why not: "calculated" or "read-only"
	clear    bool   // an empty value is sent as ""
	set      settings
	enum     *enum
}

func newTarget(p *sink.Property, st settings) *target {
	t := &target{name: p.Name, readOnly: readOnly(p), clear: st.clear, set: st}
	switch p.Type {
	case "number":
		t.kind = kindNumber
	case "bool":
		t.kind = kindBool
	case "date":
		t.kind = kindDate
	case "datetime":
		t.kind = kindDateTime
	case "enumeration":
		// Without options (say, owners listed elsewhere) nothing can be
		// checked locally: the value goes as text and HubSpot judges it.
		if len(p.Options) > 0 {
			t.kind = kindEnum
			t.enum = newEnum(p, &t.set)
		}
	}
	return t
}

// readOnly says why p cannot be written, or "" when it can.
func readOnly(p *sink.Property) string {
	switch {
	case p.Calculated:
		return "calculated"
	case p.ReadOnlyValue:
		return "read-only"
	}
	return ""
}

// memoized reports whether an Applier remembers t's last value: options
// and booleans repeat from record to record; numbers, dates and text
// mostly do not, and text costs little anyway.
func (t *target) memoized() bool { return t.kind == kindEnum || t.kind == kindBool }

// coerce turns a raw value into what HubSpot accepts for t. send is false
// when there is nothing to send (an empty value under "skip", a
// multi-select value of separators only). On refusal code is one of the
// Code constants and why says what is wrong with the value and what is
// wanted, phrased to follow the quoted value.
func (t *target) coerce(raw string) (out string, send bool, code, why string) {
	var v string
	if t.kind == kindText {
		v = trimInvisible(raw)
	} else {
		v = cleanToken(raw)
	}
	if v == "" {
		return "", t.clear, "", ""
	}
	if len(v) > MaxValueLength {
		if n := utf8.RuneCountInString(v); n > MaxValueLength {
			return "", false, CodeValueTooLong, fmt.Sprintf("is %d characters long; HubSpot allows at most %d", n, MaxValueLength)
		}
	}
	switch t.kind {
	case kindNumber:
		out, why = coerceNumber(v, &t.set)
		code = CodeInvalidNumber
	case kindBool:
		out, why = coerceBool(v)
		code = CodeInvalidBoolean
	case kindDate:
		out, why = coerceDate(v, &t.set)
		code = CodeInvalidDate
	case kindDateTime:
		out, why = coerceDateTime(v, &t.set)
		code = CodeInvalidDateTime
	case kindEnum:
		code = CodeInvalidOption
		if t.enum.multi {
			out, send, why = t.enum.coerceMulti(v)
			if why != "" {
				return "", false, code, why
			}
			return out, send, "", ""
		}
		out, why = t.enum.lookup(v)
	default:
		return v, true, "", ""
	}
	if why != "" {
		return "", false, code, why
	}
	return out, true, "", ""
}
