// Package mapping turns the raw values of a source.Record (column or key →
// text) into the properties HubSpot will accept: it renames and drops
// columns, adds constants and coerces each value by its property's type
// (docs/hubspot-api.md §9), or fails the record with a precise reason before anything
// is sent. New checks the whole mapping against the object type's property
// definitions once, up front.
//
// The package starts no goroutines and does no logging.
package mapping

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hubsync/hubsync/source"
)

// Mapper applies a checked mapping to records. It is immutable after New
// and safe for concurrent use by multiple goroutines.
//
// Datetimes written without a UTC offset are read in the configured time
// zone. A wall time that a daylight saving change repeats (Europe/Berlin
// 2024-10-27 02:30) is taken at its first occurrence, on summer time
// (00:30Z); one that the change skips (Europe/Berlin 2024-03-31 02:30) fails
// the record with INVALID_DATETIME.
type Mapper struct {
	noun           string           // "column" (CSV) or "key" (JSONL), for messages
	ordered        []plan           // CSV: plans of the header's columns, in header order
	byName         map[string]*plan // every column or key the mapper knows
	constants      []source.Prop
	targets        []string
	targetCount    int // targets planned, numbered by target.id
	ignoreUnmapped bool
	hints          map[string]string // JSONL: normalized name or label → property, for messages
	labels         []LabelMatch      // CSV: columns mapped by their property's label
}

// plan says what becomes of one column or key.
type plan struct {
	column string
	drop   bool    // "-", or unmapped under IgnoreUnmapped
	t      *target // nil when drop
	check  bool    // another key or a constant may set t too (JSONL)
	label  bool    // CSV: the column is named by t's label
}

// Apply rewrites rec.Props in place: renamed, dropped, coerced, constants
// appended after the record's own properties. A record whose Err is already
// set is left alone.
//
// When values would be refused, Apply leaves rec untouched except for
// rec.Err, whose Message names the line and, for every refused value, the
// column (or key), the value and what was expected; its Code is one of the
// Code constants, that of the first problem (see recordError). Apply
// writes the new properties over the old ones, within their length, and
// allocates only a value it changes and, when there are constants, a new
// slice.
func (m *Mapper) Apply(rec *source.Record) { m.apply(rec, nil) }

// Applier applies a Mapper as Mapper.Apply does, remembering for each
// option and boolean property the last few distinct values it coerced, so
// that the values such columns repeat are not coerced again, and for JSONL
// the plans of the keys of the record before, which the next record
// usually has in the same order. It is not safe for concurrent use: use one
// per goroutine.
type Applier struct {
	m     *Mapper
	memo  []memo  // by target.id
	order []*plan // JSONL: the plan of each key position of the record before
}

// memoSize is how many values an Applier remembers per property: enough
// for the options most columns use.
const memoSize = 8

// memo is the last values an Applier coerced for one target, replaced in
// turn.
type memo struct {
	entries [memoSize]memoEntry
	next    int
}

type memoEntry struct {
	raw, out string
	send, ok bool
}

// Applier returns a new Applier for m.
func (m *Mapper) Applier() *Applier {
	return &Applier{m: m, memo: make([]memo, m.targetCount)}
}

// Apply is Mapper.Apply, with the Applier's memory.
func (a *Applier) Apply(rec *source.Record) { a.m.apply(rec, a) }

// coerce is t.coerce, through the memo when there is one.
func coerce(t *target, raw string, memos []memo) (out string, send bool, code, why string) {
	if memos == nil || !t.memoized() {
		return t.coerce(raw)
	}
	mo := &memos[t.id]
	for i := range mo.entries {
		if e := &mo.entries[i]; e.ok && e.raw == raw {
			return e.out, e.send, "", ""
		}
	}
	out, send, code, why = t.coerce(raw)
	if code == "" {
		// Copies: either may be a slice of a whole row's text, which the
		// memo must not keep alive.
		mo.entries[mo.next] = memoEntry{raw: strings.Clone(raw), out: strings.Clone(out), send: send, ok: true}
		mo.next = (mo.next + 1) % memoSize
	}
	return out, send, code, why
}

// apply is Apply, with a's memory when a is not nil.
func (m *Mapper) apply(rec *source.Record, a *Applier) {
	if rec.Err != nil {
		return
	}
	var memos []memo
	if a != nil {
		memos = a.memo
	}
	// The new properties are gathered apart and written over rec.Props
	// only once every value has passed.
	var scratch [24]source.Prop
	out := scratch[:0]
	if len(rec.Props) > len(scratch) {
		out = make([]source.Prop, 0, len(rec.Props))
	}
	next := 0
	var problems []valueProblem // nil while every value passes: no allocation
	for j, p := range rec.Props {
		pl := m.plan(p.Name, &next, j, a)
		switch {
		case pl == nil && (m.ignoreUnmapped || source.IgnoredColumn(p.Name)):
			continue
		case pl == nil:
			problems = append(problems, valueProblem{CodeUnknownProperty, m.unknownMessage(p.Name)})
			continue
		case pl.drop:
			continue
		case pl.t.readOnly != "":
			problems = append(problems, valueProblem{CodeReadOnlyProperty, fmt.Sprintf(
				"%s %q: property %q is %s and cannot be written; drop it with --drop %s (mapping.columns)",
				m.noun, p.Name, pl.t.name, pl.t.readOnly, strings.ToUpper(m.noun))})
			continue
		}
		v, send, code, why := coerce(pl.t, p.Value, memos)
		if code != "" {
			problems = append(problems, valueProblem{code, fmt.Sprintf("%s: %q %s", m.where(pl), clipValue(p.Value), why)})
			continue
		}
		if !send {
			continue
		}
		if pl.check && (setIn(out, pl.t.name) || setIn(m.constants, pl.t.name)) {
			problems = append(problems, valueProblem{CodeDuplicateProperty, fmt.Sprintf(
				"%s: property %q is also set by another %s or by mapping.constants", m.where(pl), pl.t.name, m.noun)})
			continue
		}
		out = append(out, source.Prop{Name: pl.t.name, Value: v})
	}
	if problems != nil {
		rec.Err = recordError(rec.Line, problems)
		return
	}
	if len(m.constants) == 0 {
		rec.Props = append(rec.Props[:0], out...) // in place: out is never longer
		return
	}
	rec.Props = append(append(make([]source.Prop, 0, len(out)+len(m.constants)), out...), m.constants...)
}

// Properties returns the names of the properties the mapping writes, for a
// dry-run report: for CSV those of the header's columns in column order,
// then the constants'; for JSONL those named in Config.Columns and the
// constants' (keys that are property names are only known per record).
func (m *Mapper) Properties() []string { return slices.Clone(m.targets) }

// Columns says what the mapping does with each column: sent maps every
// column it sends, renamed, named like its property or by the property's
// label, to that property; dropped lists, in header order, the columns it
// drops ("-", or unmapped under IgnoreUnmapped). The id column and the
// columns a dead-letter file adds are in neither. For JSONL, whose keys
// are known per record, they are the keys Config.Columns names.
func (m *Mapper) Columns() (sent map[string]string, dropped []string) {
	sent = make(map[string]string)
	add := func(pl *plan) {
		if pl.drop {
			dropped = append(dropped, pl.column)
		} else {
			sent[pl.column] = pl.t.name
		}
	}
	if m.noun == "column" {
		for i := range m.ordered {
			add(&m.ordered[i])
		}
		return sent, dropped
	}
	for _, key := range slices.Sorted(maps.Keys(m.byName)) {
		// A property's own name is planned for every property: only the
		// keys the config renames or drops say something.
		if pl := m.byName[key]; pl.drop || pl.t.name != key {
			add(pl)
		}
	}
	return sent, dropped
}

// plan finds the plan of name, the j-th column or key of a record. CSV
// records list their columns in header order, so a cursor over m.ordered
// usually finds it without hashing; JSONL records usually list their keys
// as the record before did, which an Applier remembers.
func (m *Mapper) plan(name string, next *int, j int, a *Applier) *plan {
	for i := *next; i < len(m.ordered); i++ {
		if m.ordered[i].column == name {
			*next = i + 1
			return &m.ordered[i]
		}
	}
	if a == nil || m.ordered != nil || j >= maxRemembered {
		return m.byName[name]
	}
	if j < len(a.order) && a.order[j] != nil && a.order[j].column == name {
		return a.order[j]
	}
	pl := m.byName[name]
	for len(a.order) <= j {
		a.order = append(a.order, nil)
	}
	a.order[j] = pl
	return pl
}

// maxRemembered bounds how many key positions an Applier remembers.
const maxRemembered = 64

func (m *Mapper) where(pl *plan) string {
	if pl.column == pl.t.name {
		return fmt.Sprintf("%s %q", m.noun, pl.column)
	}
	return fmt.Sprintf("%s %q (property %q)", m.noun, pl.column, pl.t.name)
}

// UnknownKey reports whether Apply would refuse a JSON Lines record that
// carries key as UNKNOWN_PROPERTY: key is neither a property nor renamed,
// dropped or ignored.
func (m *Mapper) UnknownKey(key string) bool {
	return m.byName[key] == nil && !m.ignoreUnmapped && !source.IgnoredColumn(key)
}

func (m *Mapper) unknownMessage(name string) string {
	// The advice names the flags and the config keys: the same words
	// serve a run set up either way.
	placeholder := strings.ToUpper(m.noun)
	return fmt.Sprintf("%s %q is not a property of this object type%s; rename it with --map %s=PROPERTY or drop it with --drop %s (mapping.columns), "+
		"or pass --ignore-unmapped (mapping.ignore_unmapped)",
		m.noun, name, didYouMean(m.hints[normalize(name)]), placeholder, placeholder)
}

func setIn(props []source.Prop, name string) bool {
	for _, p := range props {
		if p.Name == name {
			return true
		}
	}
	return false
}

// maxQuoted bounds how much of a value a message quotes.
const maxQuoted = 80

func clipValue(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
