package sink

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/go-json-experiment/json/jsontext"
)

// flexText is the lenient reading of a JSON value where HubSpot is
// expected to send a string: a string unescaped, a number or bool as its
// literal text (ids come back as numbers), null or a container as "". A
// string without escapes is kept byte for byte; in one with escapes,
// invalid UTF-8 and lone surrogates become U+FFFD.
func flexText(v jsontext.Value) string {
	switch v.Kind() {
	case '"':
		if bytes.IndexByte(v, '\\') < 0 {
			return string(v[1 : len(v)-1])
		}
		b, _ := jsontext.AppendUnquote(nil, v)
		return string(b)
	case '0', 't', 'f':
		return string(v)
	}
	return ""
}

// flexString decodes a value with encoding/json as flexText reads it.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	*f = flexString(flexText(b))
	return nil
}

// flexStrings decodes a JSON array of scalars, or a single scalar, leniently.
type flexStrings []string

func (f *flexStrings) UnmarshalJSON(b []byte) error {
	switch jsontext.Value(b).Kind() {
	case '[':
		var items []flexString
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		out := make([]string, len(items))
		for i, s := range items {
			out[i] = string(s)
		}
		*f = out
	case 'n', '{':
	default:
		*f = flexStrings{flexText(b)}
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
