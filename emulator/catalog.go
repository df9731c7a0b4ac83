package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// catalog is a compiled, immutable Schema: lookups by any name of an object
// type and by property name. It is read without locking.
type catalog struct {
	types []*objType
	byKey map[string]*objType
}

// objType is a compiled ObjectType.
type objType struct {
	id, name string
	label    string // singular display name ("Communication")
	singular string // upper-case, for OBJECT_NOT_FOUND messages
	scopes   []string
	lastMod  string // system property carrying the write time
	props    map[string]*prop
	seed     *prop  // property seeded with Config.UniqueFormat, or nil
	listJSON []byte // body of GET /crm/v3/properties/{objectType}
}

// propKind is the validation rule of a property, from its type.
type propKind int

const (
	kindString propKind = iota
	kindNumber
	kindBool
	kindDate
	kindDatetime
	kindEnum
)

var kindByType = map[string]propKind{
	"string": kindString, "number": kindNumber, "bool": kindBool,
	"date": kindDate, "datetime": kindDatetime, "enumeration": kindEnum,
}

// prop is a compiled Property.
type prop struct {
	name       string
	kind       propKind
	multi      bool // enumeration with fieldType checkbox
	calculated bool
	readOnly   bool
	unique     bool
	options    map[string]struct{}
	optionList string // "[A, B]" in display order, for INVALID_OPTION messages
}

// compileSchema checks s and builds its index.
func compileSchema(s *Schema) (*catalog, error) {
	if s == nil || len(s.ObjectTypes) == 0 {
		return nil, errors.New("compile schema: no object types")
	}
	c := &catalog{byKey: make(map[string]*objType)}
	for i := range s.ObjectTypes {
		ot, err := compileObjectType(&s.ObjectTypes[i])
		if err != nil {
			return nil, fmt.Errorf("compile schema: %w", err)
		}
		keys := append([]string{ot.id, ot.name}, s.ObjectTypes[i].Aliases...)
		for _, k := range keys {
			if k == "" {
				return nil, fmt.Errorf("compile schema: object type %d: empty id, name or alias", i)
			}
			if _, dup := c.byKey[k]; dup {
				return nil, fmt.Errorf("compile schema: object type key %q used twice", k)
			}
			c.byKey[k] = ot
		}
		c.types = append(c.types, ot)
	}
	return c, nil
}

func compileObjectType(def *ObjectType) (*objType, error) {
	ot := &objType{
		id:       def.ID,
		name:     def.Name,
		label:    def.Labels.Singular,
		singular: strings.ToUpper(strings.ReplaceAll(def.Labels.Singular, " ", "_")),
		scopes:   def.RequiredScopes,
		lastMod:  def.LastModifiedProperty,
		props:    make(map[string]*prop, len(def.Properties)),
	}
	if ot.singular == "" {
		return nil, fmt.Errorf("object type %q: labels.singular is empty", def.Name)
	}
	if ot.lastMod == "" {
		ot.lastMod = "hs_lastmodifieddate"
	}
	list := make([]Property, len(def.Properties))
	for i, pd := range def.Properties {
		p, err := compileProperty(pd)
		if err != nil {
			return nil, fmt.Errorf("object type %q: %w", def.Name, err)
		}
		if _, dup := ot.props[p.name]; dup {
			return nil, fmt.Errorf("object type %q: property %q defined twice", def.Name, p.name)
		}
		ot.props[p.name] = p
		if p.unique && ot.seed == nil {
			ot.seed = p
		}
		list[i] = pd
		if list[i].Options == nil {
			list[i].Options = []Option{} // HubSpot sends [] for no options
		}
	}
	if _, ok := ot.props[ot.lastMod]; !ok {
		return nil, fmt.Errorf("object type %q: lastModifiedProperty %q is not a property", def.Name, ot.lastMod)
	}
	body, err := json.Marshal(struct {
		Results []Property `json:"results"`
	}{list})
	if err != nil {
		return nil, fmt.Errorf("encode properties of %q: %w", def.Name, err)
	}
	ot.listJSON = body
	return ot, nil
}

func compileProperty(pd Property) (*prop, error) {
	kind, ok := kindByType[pd.Type]
	if pd.Name == "" {
		return nil, errors.New("property with empty name")
	}
	if !ok {
		return nil, fmt.Errorf("property %q: unknown type %q", pd.Name, pd.Type)
	}
	p := &prop{
		name:       pd.Name,
		kind:       kind,
		multi:      kind == kindEnum && pd.FieldType == "checkbox",
		calculated: pd.Calculated,
		readOnly:   pd.Calculated || pd.ModificationMetadata.ReadOnlyValue,
		unique:     pd.HasUniqueValue,
	}
	if kind == kindEnum && len(pd.Options) == 0 {
		return nil, fmt.Errorf("property %q: enumeration without options", pd.Name)
	}
	if p.unique && (p.readOnly || (kind != kindString && kind != kindNumber)) {
		return nil, fmt.Errorf("property %q: hasUniqueValue needs a writable string or number property", pd.Name)
	}
	if kind == kindEnum {
		opts := slices.Clone(pd.Options)
		slices.SortStableFunc(opts, func(a, b Option) int { return a.DisplayOrder - b.DisplayOrder })
		p.options = make(map[string]struct{}, len(opts))
		values := make([]string, len(opts))
		for i, o := range opts {
			if _, dup := p.options[o.Value]; dup || o.Value == "" || strings.Contains(o.Value, ";") {
				return nil, fmt.Errorf("property %q: option value %q empty, repeated or containing ';'", pd.Name, o.Value)
			}
			p.options[o.Value] = struct{}{}
			values[i] = o.Value
		}
		p.optionList = "[" + strings.Join(values, ", ") + "]"
	}
	return p, nil
}

// lookup finds an object type by id, name or alias.
func (c *catalog) lookup(key string) (*objType, bool) {
	ot, ok := c.byKey[key]
	return ot, ok
}
