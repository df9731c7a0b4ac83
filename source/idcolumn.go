package source

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// exportIDColumns are the names the id goes by in HubSpot's own exports:
// the header of its CSV and Excel exports, and the property's internal
// name, which API dumps and JSON exports use. With no column or key named
// "id" and no id column named in Options, the one of them that is present
// holds the id.
var exportIDColumns = []string{"Record ID", "hs_object_id"}

// guessIDColumn picks the id column of a header when none was named:
// "id", else the one of exportIDColumns present. Two of them present is
// ambiguous, and a wrong guess would address other records, so it is an
// error.
func guessIDColumn(cols []string) (string, error) {
	has := func(name string) bool {
		for _, c := range cols {
			if c == name {
				return true
			}
		}
		return false
	}
	if has(DefaultIDColumn) {
		return DefaultIDColumn, nil
	}
	var found []string
	for _, c := range exportIDColumns {
		if has(c) {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return DefaultIDColumn, nil // checkHeader says that it is missing
	case 1:
		return found[0], nil
	}
	return "", &HeaderError{Err: ErrNoIDColumn, Columns: cols, Detail: fmt.Sprintf(
		"no column named %q, and both %s could hold the record id: pass --id-column with the one to use",
		DefaultIDColumn, joinQuoted(found))}
}

func joinQuoted(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("%q", s[0])
	}
	return quoteList(s[:len(s)-1]) + " and " + fmt.Sprintf("%q", s[len(s)-1])
}

// guessIDKey picks the id key of a JSON Lines file when none was named,
// from its first line holding an object: "id" unless that object lacks it
// and has hs_object_id (HubSpot's name for the record id) instead. One
// choice for the whole file, so that two lines never take their ids from
// different keys. It reads from the start of the file; the caller seeks
// where reading begins afterwards.
func guessIDKey(in *input, max int) (string, error) {
	if err := in.seek(0, 1); err != nil {
		return "", err
	}
	if err := in.skipBOM(); err != nil {
		return "", err
	}
	var line []byte
	for {
		frag, err := in.fragment()
		if err != nil && err != io.EOF {
			return "", err
		}
		line = append(line, frag...)
		switch {
		case len(line) > max:
			return DefaultIDColumn, nil // a record too large tells nothing
		case len(frag) > 0 && frag[len(frag)-1] != '\n' && err == nil:
			continue // the rest of the line is still to come
		case len(bytes.TrimSpace(line)) > 0 || err == io.EOF:
			var keys map[string]json.RawMessage
			if json.Unmarshal(line, &keys) != nil {
				return DefaultIDColumn, nil // a line that is no object tells nothing
			}
			_, hasID := keys[DefaultIDColumn]
			if _, ok := keys["hs_object_id"]; ok && !hasID {
				return "hs_object_id", nil
			}
			return DefaultIDColumn, nil
		}
		line = line[:0] // a blank line
	}
}
