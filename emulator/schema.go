package emulator

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
)

// defaultSchemaJSON is the default schema. configs/emulator-schema.json is a
// byte-identical copy for humans and for --schema; a test keeps them equal.
//
//go:embed default-schema.json
var defaultSchemaJSON []byte

// Schema lists the object types the emulator knows and their properties.
// Its JSON form is the one of configs/emulator-schema.json. A Schema is plain
// data: New compiles its own private index, so a Schema may be shared by
// several servers but must not be modified while one is being built.
type Schema struct {
	ObjectTypes []ObjectType `json:"objectTypes"`
}

// ObjectType is one CRM object type, addressed in URLs by ID ("0-18"), Name
// ("communications") or any of Aliases.
type ObjectType struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Labels  Labels   `json:"labels"`
	Aliases []string `json:"aliases,omitempty"`
	// RequiredScopes are reported in the 403 MISSING_SCOPES body (docs/hubspot-api.md §5).
	RequiredScopes []string `json:"requiredScopes"`
	// LastModifiedProperty is the system property echoed in every result with
	// the write time; "" means "hs_lastmodifieddate" (contacts use
	// "lastmodifieddate", docs/hubspot-api.md §4).
	LastModifiedProperty string     `json:"lastModifiedProperty,omitempty"`
	Properties           []Property `json:"properties"`
}

// Labels are an object type's display names. Singular, upper-cased, names the
// object in OBJECT_NOT_FOUND messages ("Could not get some COMMUNICATION
// objects", docs/hubspot-api.md §7).
type Labels struct {
	Singular string `json:"singular"`
	Plural   string `json:"plural"`
}

// Property is a property definition in the shape of
// GET /crm/v3/properties/{objectType} (docs/hubspot-api.md §10).
//
// Type is one of string, number, bool, date, datetime, enumeration. An
// enumeration whose FieldType is "checkbox" takes several ';'-separated
// values. A property is read-only when Calculated or
// ModificationMetadata.ReadOnlyValue is set. The first property with
// HasUniqueValue is the one seeded with Config.UniqueFormat.
type Property struct {
	Name                 string               `json:"name"`
	Label                string               `json:"label"`
	Type                 string               `json:"type"`
	FieldType            string               `json:"fieldType"`
	Description          string               `json:"description"`
	GroupName            string               `json:"groupName"`
	Options              []Option             `json:"options"`
	DisplayOrder         int                  `json:"displayOrder"`
	HasUniqueValue       bool                 `json:"hasUniqueValue"`
	Hidden               bool                 `json:"hidden"`
	FormField            bool                 `json:"formField"`
	Calculated           bool                 `json:"calculated"`
	ExternalOptions      bool                 `json:"externalOptions"`
	ModificationMetadata ModificationMetadata `json:"modificationMetadata"`
}

// Option is one allowed value of an enumeration property. Clients must send
// Value, never Label.
type Option struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// ModificationMetadata says what a client may change about a property.
type ModificationMetadata struct {
	Archivable         bool `json:"archivable"`
	ReadOnlyDefinition bool `json:"readOnlyDefinition"`
	ReadOnlyValue      bool `json:"readOnlyValue"`
}

// LoadSchema reads a schema in the JSON format of configs/emulator-schema.json
// and checks it: unknown fields, unknown property types, enumerations without
// options and clashing names are errors.
func LoadSchema(r io.Reader) (*Schema, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Schema
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("decode schema: %w", err)
	}
	if _, err := compileSchema(&s); err != nil {
		return nil, err
	}
	return &s, nil
}

// DefaultSchema returns a fresh copy of the built-in schema: communications
// (0-18), contacts (0-1) and the custom object widgets (2-1000001).
func DefaultSchema() *Schema {
	var s Schema
	if err := json.Unmarshal(defaultSchemaJSON, &s); err != nil {
		panic(fmt.Sprintf("emulator: embedded default schema: %v", err)) // guarded by TestDefaultSchema
	}
	return &s
}
