package sink

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// PropertyError is one reason HubSpot gave for rejecting a property value.
type PropertyError struct {
	Name    string // property name, when HubSpot said which
	Code    string // e.g. PROPERTY_DOESNT_EXIST, INVALID_OPTION, INVALID_DATE
	Message string // HubSpot's text, e.g. `Property "x" does not exist`
}

// PropertyErrors returns the per-property reasons of a 400 VALIDATION_ERROR,
// taken from the JSON array HubSpot embeds in the message ("Property values
// were not valid: [...]", docs/hubspot-api.md §7) and from errors[]; duplicates are
// merged, order is kept. It returns nil when the body names none.
//
// For a batch of several inputs HubSpot does not say which input each entry
// belongs to: the caller bisects. For a single-input batch they are that
// record's reasons. Safe for concurrent use; it does not modify e.
func (e *APIError) PropertyErrors() []PropertyError {
	var out []PropertyError
	seen := map[string]bool{}
	add := func(p PropertyError) {
		if p.Code == "" && p.Name == "" && p.Message == "" {
			return
		}
		k := p.Name + "\x00" + p.Code
		if p.Name == "" {
			k += "\x00" + p.Message
		}
		if seen[k] {
			return
		}
		seen[k] = true
		out = append(out, p)
	}
	for _, p := range embeddedPropertyErrors(e.Message) {
		add(p)
	}
	for _, d := range e.Errors {
		p := PropertyError{Code: d.Code, Message: d.Message}
		if names := d.Context["propertyName"]; len(names) > 0 {
			p.Name = names[0]
		}
		add(p)
	}
	return out
}

// embeddedItem is one entry of the array in "Property values were not valid: [...]".
type embeddedItem struct {
	IsValid          *bool      `json:"isValid"`
	Message          flexString `json:"message"`
	LocalizedMessage flexString `json:"localizedErrorMessage"`
	Error            flexString `json:"error"`
	Name             flexString `json:"name"`
}

func embeddedPropertyErrors(msg string) []PropertyError {
	i := strings.Index(msg, "not valid:")
	if i < 0 {
		i = 0
	}
	j := strings.IndexByte(msg[i:], '[')
	if j < 0 {
		return nil
	}
	var items []embeddedItem
	// The decoder reads one JSON value and ignores any text after it.
	if err := json.NewDecoder(strings.NewReader(msg[i+j:])).Decode(&items); err != nil {
		return nil
	}
	out := make([]PropertyError, 0, len(items))
	for _, it := range items {
		if it.IsValid != nil && *it.IsValid {
			continue
		}
		m := string(it.Message)
		if m == "" {
			m = string(it.LocalizedMessage)
		}
		out = append(out, PropertyError{Name: string(it.Name), Code: string(it.Error), Message: m})
	}
	return out
}

// Reason returns a code and message suited to a dead-letter entry for the
// record of a rejected single-input batch: the distinct property error codes
// joined by "," and their messages joined by "; " when HubSpot named any,
// else the category (or "HTTP_<status>") and the message. Safe for
// concurrent use.
func (e *APIError) Reason() (code, message string) {
	if pe := e.PropertyErrors(); len(pe) > 0 {
		var codes, msgs []string
		for _, p := range pe {
			if p.Code != "" && !slices.Contains(codes, p.Code) {
				codes = append(codes, p.Code)
			}
			if p.Message != "" && !slices.Contains(msgs, p.Message) {
				msgs = append(msgs, p.Message)
			}
		}
		if len(codes) > 0 {
			return strings.Join(codes, ","), strings.Join(msgs, "; ")
		}
	}
	code = e.Category
	if code == "" {
		code = "HTTP_" + strconv.Itoa(e.StatusCode)
	}
	return code, e.Message
}
