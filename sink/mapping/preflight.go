package mapping

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// New checks cfg against the object type's property definitions and builds
// a Mapper. It is the preflight: nothing has been sent yet.
//
// columns is the CSV header, id column included; for JSONL it is nil, and
// keys are then checked per record by Apply. idColumn is skipped, as are the
// columns a dead-letter file adds (source.IgnoredColumn). idProperty, when
// not empty, must be a property with unique values.
//
// An invalid cfg (see Validate) is a wrapped error; mapping problems are a
// *PreflightError listing all of them. props is not retained.
func New(cfg Config, props []sink.Property, columns []string, idColumn, idProperty string) (*Mapper, error) {
	cc, err := cfg.compile()
	if err != nil {
		return nil, fmt.Errorf("new mapper: %w", err)
	}
	b := &builder{
		cfg:     &cfg,
		cc:      cc,
		all:     props,
		props:   make(map[string]*sink.Property, len(props)),
		targets: make(map[string]*target),
		setBy:   make(map[string]string),
		noun:    "column",
	}
	for i := range props {
		if _, dup := b.props[props[i].Name]; !dup {
			b.props[props[i].Name] = &props[i]
		}
	}
	m := &Mapper{noun: "column", ignoreUnmapped: cfg.IgnoreUnmapped, byName: make(map[string]*plan)}
	if columns == nil {
		b.noun, m.noun = "key", "key"
		b.keys(m)
		m.hints = hints(props)
	} else {
		b.header(m, columns, idColumn)
	}
	b.constants(m)
	for _, name := range slices.Sorted(maps.Keys(cfg.Properties)) {
		if b.props[name] == nil {
			s := Closest(name, props)
			b.add(Problem{Kind: UnknownProperty, Property: name, Suggestion: s, Message: fmt.Sprintf(
				"mapping.properties names %q, which is not a property of this object type%s", name, didYouMean(s))})
		}
	}
	b.idProperty(idProperty)
	if len(b.problems) > 0 {
		return nil, &PreflightError{Problems: b.problems}
	}
	markShared(m)
	m.targetCount = len(b.targets)
	return m, nil
}

type builder struct {
	cfg      *Config
	cc       *compiled
	all      []sink.Property
	props    map[string]*sink.Property
	targets  map[string]*target // one per property, shared by its plans
	setBy    map[string]string  // property → the column or key that sets it
	noun     string
	problems []Problem
}

func (b *builder) add(p Problem) { b.problems = append(b.problems, p) }

func (b *builder) target(name string) *target {
	t, ok := b.targets[name]
	if !ok {
		t = newTarget(b.props[name], b.cc.settingsFor(name))
		t.id = len(b.targets)
		b.targets[name] = t
	}
	return t
}

// header plans each column of a CSV header.
func (b *builder) header(m *Mapper, columns []string, idColumn string) {
	for _, col := range columns {
		switch {
		case col == idColumn:
			if to, ok := b.cfg.Columns[col]; ok && strings.TrimSpace(to) != "-" {
				b.add(Problem{Kind: IDColumnMapped, Column: col, Message: fmt.Sprintf(
					"column %q is the id column: it addresses the record and is never sent as a property; remove it from mapping.columns", col)})
			}
			continue
		case source.IgnoredColumn(col):
			continue
		}
		if pl, ok := b.planFor(col); ok {
			m.ordered = append(m.ordered, pl)
			b.claim(m, pl)
			if pl.label {
				m.labels = append(m.labels, LabelMatch{Column: col, Property: pl.t.name})
			}
		}
	}
	for i := range m.ordered {
		m.byName[m.ordered[i].column] = &m.ordered[i]
	}
	for _, col := range slices.Sorted(maps.Keys(b.cfg.Columns)) {
		if to := strings.TrimSpace(b.cfg.Columns[col]); to != "-" && !slices.Contains(columns, col) {
			b.add(Problem{Kind: MissingColumn, Column: col, Property: to, Message: fmt.Sprintf(
				"mapping.columns renames column %q, which the file does not have (its columns: %s)", col, quoteList(columns))})
		}
	}
}

// keys plans the keys a JSONL record may have: those of Config.Columns,
// then every property under its own name.
func (b *builder) keys(m *Mapper) {
	for _, key := range slices.Sorted(maps.Keys(b.cfg.Columns)) {
		if pl, ok := b.planFor(key); ok {
			m.byName[key] = &pl
			b.claim(m, pl)
		}
	}
	for i := range b.all {
		name := b.all[i].Name
		if _, ok := m.byName[name]; !ok {
			m.byName[name] = &plan{column: name, t: b.target(name)}
		}
	}
}

// planFor plans one column or key named in the header or in Config.Columns.
func (b *builder) planFor(col string) (plan, bool) {
	to, renamed := b.cfg.Columns[col]
	name := col
	if renamed {
		if name = strings.TrimSpace(to); name == "-" {
			return plan{column: col, drop: true}, true
		}
	}
	p := b.props[name]
	label := false
	if p == nil && !renamed && b.noun == "column" {
		// HubSpot's exports name columns by label: one property with
		// that label is the one meant; several are a question to ask.
		switch found := byLabel(col, b.all); {
		case len(found) == 1:
			name, p, label = found[0], b.props[found[0]], true
		case len(found) > 1:
			b.add(ambiguousLabel(col, found))
			return plan{}, false
		}
	}
	switch {
	case p == nil && renamed:
		s := Closest(name, b.all)
		b.add(Problem{Kind: UnknownProperty, Column: col, Property: name, Suggestion: s, Message: fmt.Sprintf(
			"mapping.columns maps %s %q to %q, which is not a property of this object type%s", b.noun, col, name, didYouMean(s))})
		return plan{}, false
	case p == nil && b.cfg.IgnoreUnmapped:
		return plan{column: col, drop: true}, true
	case p == nil:
		s := Closest(col, b.all)
		b.add(Problem{Kind: UnknownColumn, Column: col, Suggestion: s, Message: fmt.Sprintf(
			"%s %q is not a property of this object type%s; rename it under mapping.columns, drop it with \"-\", or set mapping.ignore_unmapped",
			b.noun, col, didYouMean(s))})
		return plan{}, false
	case p.ReadOnly():
		b.add(Problem{Kind: ReadOnly, Column: col, Property: name, Message: fmt.Sprintf(
			"%s %q maps to property %q, which is %s and cannot be written; drop it with \"-\" under mapping.columns",
			b.noun, col, name, readOnly(p))})
		return plan{}, false
	}
	return plan{column: col, t: b.target(name), label: label}, true
}

// claim records that pl sets its property, reporting a second setter.
func (b *builder) claim(m *Mapper, pl plan) {
	if pl.drop {
		return
	}
	if first, dup := b.setBy[pl.t.name]; dup {
		b.add(Problem{Kind: DuplicateTarget, Column: pl.column, Property: pl.t.name, Message: fmt.Sprintf(
			"%ss %q and %q both map to property %q; drop one with \"-\" under mapping.columns", b.noun, first, pl.column, pl.t.name)})
		return
	}
	b.setBy[pl.t.name] = pl.column
	m.targets = append(m.targets, pl.t.name)
}

// constants checks and coerces Config.Constants.
func (b *builder) constants(m *Mapper) {
	for _, name := range slices.Sorted(maps.Keys(b.cfg.Constants)) {
		value := b.cfg.Constants[name]
		p := b.props[name]
		switch {
		case p == nil:
			s := Closest(name, b.all)
			b.add(Problem{Kind: UnknownProperty, Property: name, Suggestion: s, Message: fmt.Sprintf(
				"mapping.constants sets %q, which is not a property of this object type%s", name, didYouMean(s))})
			continue
		case p.ReadOnly():
			b.add(Problem{Kind: ReadOnly, Property: name, Message: fmt.Sprintf(
				"mapping.constants sets property %q, which is %s and cannot be written", name, readOnly(p))})
			continue
		}
		if col, dup := b.setBy[name]; dup {
			b.add(Problem{Kind: DuplicateTarget, Column: col, Property: name, Message: fmt.Sprintf(
				"property %q is set both by %s %q and by mapping.constants; drop one", name, b.noun, col)})
			continue
		}
		v, send, code, why := b.target(name).coerce(value)
		switch {
		case code != "":
			b.add(Problem{Kind: BadConstant, Property: name, Message: fmt.Sprintf("mapping.constants.%s: %q %s", name, clipValue(value), why)})
			continue
		case !send && cleanToken(value) != "":
			continue // a multi-select constant of separators only: nothing to write
		}
		m.constants = append(m.constants, source.Prop{Name: name, Value: v}) // v is "" when empty: clear
		m.targets = append(m.targets, name)
	}
}

func (b *builder) idProperty(name string) {
	if name == "" {
		return
	}
	var unique []string
	for i := range b.all {
		if b.all[i].HasUniqueValue {
			unique = append(unique, b.all[i].Name)
		}
	}
	list := "none"
	if len(unique) > 0 {
		list = quoteList(unique)
	}
	switch p := b.props[name]; {
	case p == nil:
		s := Closest(name, b.all)
		b.add(Problem{Kind: BadIDProperty, Property: name, Suggestion: s, Message: fmt.Sprintf(
			"id property %q is not a property of this object type%s; properties with unique values: %s", name, didYouMean(s), list)})
	case !p.HasUniqueValue:
		b.add(Problem{Kind: BadIDProperty, Property: name, Message: fmt.Sprintf(
			"id property %q does not have unique values, so HubSpot cannot address records by it; properties with unique values: %s", name, list)})
	}
}

// markShared flags the plans whose property another key or a constant can
// also set: only possible for JSONL, where a renamed key and the property's
// own name may both appear in one record.
func markShared(m *Mapper) {
	n := make(map[string]int)
	for _, pl := range m.byName {
		if !pl.drop && pl.t.readOnly == "" {
			n[pl.t.name]++
		}
	}
	for _, c := range m.constants {
		n[c.Name]++
	}
	for _, pl := range m.byName {
		if !pl.drop && n[pl.t.name] > 1 {
			pl.check = true
		}
	}
}
