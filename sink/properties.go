package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Property is one property definition from GET /crm/v3/properties/{objectType}
// (docs/hubspot-api.md §10).
type Property struct {
	Name      string
	Label     string
	Type      string   // string, number, bool, date, datetime, enumeration, phone_number, …
	FieldType string   // text, textarea, number, booleancheckbox, date, select, radio, checkbox, …
	Options   []Option // enumeration options, in the order HubSpot lists them

	HasUniqueValue bool // usable as idProperty
	Calculated     bool // computed by HubSpot; never writable
	ReadOnlyValue  bool // from modificationMetadata.readOnlyValue
}

// Option is one allowed value of an enumeration property. HubSpot accepts
// Value, never Label.
type Option struct {
	Label  string
	Value  string
	Hidden bool
}

// ReadOnly reports whether a value of p cannot be written.
func (p *Property) ReadOnly() bool { return p.Calculated || p.ReadOnlyValue }

// Properties fetches the definitions of the client's object type, once; it
// does not retry. It blocks until the answer is read or ctx ends. Safe for
// concurrent use.
//
// On any status but 200 it returns an *APIError (wrapped). A transport
// failure, an unreadable 200 body (no "results" array) or the end of ctx is
// returned wrapped as UpdateBatch returns it, so Classify tells the caller
// whether to retry. Entries without a name are left out.
func (c *Client) Properties(ctx context.Context) ([]Property, error) {
	body, release, err := c.get(ctx, opProperties, c.propertiesURL(), maxPropertiesBody)
	if err != nil {
		return nil, err
	}
	defer release()
	props, err := decodeProperties(body)
	if err != nil {
		return nil, c.failure(ctx, kindUnreadable, opProperties, fmt.Errorf("decode 200 response: %w: %w", ErrUnreadableResponse, err))
	}
	return c.scrubProperties(props), nil
}

// scrubProperties passes every string of props through serverText, since
// labels and options end up in messages. A name or an option value that
// it would change is left out rather than altered: those are written to
// HubSpot, and a value the listing does not hold must never be; HubSpot
// never names a property or an option with control characters or the
// caller's token.
func (c *Client) scrubProperties(props []Property) []Property {
	out := props[:0]
	for _, p := range props {
		if c.serverText(p.Name) != p.Name {
			continue
		}
		p.Label = c.serverText(p.Label)
		p.Type = c.serverText(p.Type)
		p.FieldType = c.serverText(p.FieldType)
		opts := p.Options[:0:0]
		for _, o := range p.Options {
			if c.serverText(o.Value) != o.Value {
				continue
			}
			o.Label = c.serverText(o.Label)
			opts = append(opts, o)
		}
		if p.Options != nil {
			p.Options = opts
		}
		out = append(out, p)
	}
	return out
}

// maxPropertiesBody caps how much of a properties listing is read. A
// listing is large legitimately: every property of the object with its
// label, description and enumeration options, thousands of them in a
// well-used account, a few MiB in all. 64 MiB leaves an order of
// magnitude beyond that, and costs at most once: the listing is fetched by
// one request before the sync starts. A bigger answer is unreadable and
// retried, then reported.
const maxPropertiesBody = 64 << 20

// propertiesURL derives GET /crm/v3/properties/{objectType} from the batch
// endpoint, base/crm/v3/objects/{escaped type}/batch/update. The escaped type
// holds no '/', so the last "/crm/v3/objects/" is the one New wrote.
func (c *Client) propertiesURL() string {
	const objects = "/crm/v3/objects/"
	rest := strings.TrimSuffix(c.endpoint, "/batch/update")
	i := strings.LastIndex(rest, objects)
	return rest[:i] + "/crm/v3/properties/" + rest[i+len(objects):]
}

// propertiesBody is the lenient shape of a properties listing: every field
// may be missing or of an unexpected type.
type propertiesBody struct {
	Results *[]struct {
		Name           flexString `json:"name"`
		Label          flexString `json:"label"`
		Type           flexString `json:"type"`
		FieldType      flexString `json:"fieldType"`
		HasUniqueValue flexBool   `json:"hasUniqueValue"`
		Calculated     flexBool   `json:"calculated"`
		Options        []struct {
			Label  flexString `json:"label"`
			Value  flexString `json:"value"`
			Hidden flexBool   `json:"hidden"`
		} `json:"options"`
		ModificationMetadata struct {
			ReadOnlyValue flexBool `json:"readOnlyValue"`
		} `json:"modificationMetadata"`
	} `json:"results"`
}

var errNoResults = errors.New(`no "results" array`)

func decodeProperties(b []byte) ([]Property, error) {
	if !isJSONObject(b) {
		return nil, errors.New("not a JSON object")
	}
	var body propertiesBody
	if err := unmarshalLenient(b, &body); err != nil {
		return nil, err
	}
	if body.Results == nil {
		return nil, errNoResults
	}
	out := make([]Property, 0, len(*body.Results))
	for _, r := range *body.Results {
		if r.Name == "" {
			continue
		}
		p := Property{
			Name:           string(r.Name),
			Label:          string(r.Label),
			Type:           string(r.Type),
			FieldType:      string(r.FieldType),
			HasUniqueValue: bool(r.HasUniqueValue),
			Calculated:     bool(r.Calculated),
			ReadOnlyValue:  bool(r.ModificationMetadata.ReadOnlyValue),
		}
		for _, o := range r.Options {
			p.Options = append(p.Options, Option{Label: string(o.Label), Value: string(o.Value), Hidden: bool(o.Hidden)})
		}
		out = append(out, p)
	}
	return slices.Clip(out), nil
}

// flexBool decodes true, "true" (any case) as true and anything else,
// including null, objects and arrays, as false.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*f = flexBool(bytes.Equal(b, []byte("true")) || bytes.EqualFold(b, []byte(`"true"`)))
	return nil
}
