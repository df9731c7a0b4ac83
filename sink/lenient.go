package sink

import (
	"bytes"
	"encoding/json"
	"errors"
)

// flexString decodes a JSON string, number, bool or null leniently: a
// non-string scalar keeps its literal text, null and objects become "".
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) >= 2 && b[0] == '"':
		if bytes.IndexByte(b, '\\') < 0 {
			*f = flexString(b[1 : len(b)-1])
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case len(b) > 0 && (b[0] == '-' || b[0] == 't' || b[0] == 'f' || (b[0] >= '0' && b[0] <= '9')):
		*f = flexString(b)
	default:
		*f = ""
	}
	return nil
}

// flexStrings decodes a JSON array of scalars, or a single scalar, leniently.
type flexStrings []string

func (f *flexStrings) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		var items []flexString
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		out := make([]string, len(items))
		for i, s := range items {
			out[i] = string(s)
		}
		*f = out
		return nil
	}
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if len(b) > 0 && b[0] != 'n' && b[0] != '{' {
		*f = flexStrings{string(s)}
	}
	return nil
}

// unmarshalLenient decodes JSON into v, accepting values of unexpected types
// (such fields are left empty) but not broken JSON.
func unmarshalLenient(b []byte, v any) error {
	err := json.Unmarshal(b, v)
	if _, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return nil
	}
	return err
}
