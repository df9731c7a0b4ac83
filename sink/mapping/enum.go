package mapping

import (
	"fmt"
	"strings"

	"github.com/hubsync/hubsync/sink"
)

// coerceBool maps the usual spellings of a boolean to "true" or "false".
func coerceBool(v string) (out, why string) {
	switch {
	case oneOf(v, "true", "yes", "y", "1", "on"):
		return "true", ""
	case oneOf(v, "false", "no", "n", "0", "off"):
		return "false", ""
	}
	return "", "is not a boolean: want true/false, yes/no, y/n, on/off or 1/0"
}

func oneOf(v string, words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(v, w) {
			return true
		}
	}
	return false
}

// indexFrom is the option count from which exact lookups use a map.
const indexFrom = 12

// maxListed bounds how many options an INVALID_OPTION message lists.
const maxListed = 20

// enum is a compiled enumeration property. It is read-only after newEnum.
type enum struct {
	values, labels []string
	index          map[string]int // value → position; nil for short lists
	matchLabels    bool
	multi          bool   // fieldType checkbox
	sep            string // input separator of multi
	want           string // "want one of: …" for messages
}

func newEnum(p *sink.Property, st *settings) *enum {
	e := &enum{matchLabels: st.matchLabels, multi: p.FieldType == "checkbox", sep: st.multiSep}
	for _, o := range p.Options {
		e.values = append(e.values, o.Value)
		e.labels = append(e.labels, o.Label)
	}
	if len(e.values) >= indexFrom {
		e.index = make(map[string]int, len(e.values))
		for i := len(e.values) - 1; i >= 0; i-- {
			e.index[e.values[i]] = i // the first of repeated values wins
		}
	}
	e.want = "want one of: " + listed(e.values)
	if e.matchLabels {
		e.want += "; or a label: " + listed(e.labels)
	}
	return e
}

func listed(s []string) string {
	if len(s) <= maxListed {
		return strings.Join(s, ", ")
	}
	return fmt.Sprintf("%s, … (%d more)", strings.Join(s[:maxListed], ", "), len(s)-maxListed)
}

// lookup finds the option v names: its exact value, else its value ignoring
// case, else (matchLabels) its label ignoring case. It returns the option's
// value, or why v is refused.
func (e *enum) lookup(v string) (string, string) {
	if e.index != nil {
		if i, ok := e.index[v]; ok {
			return e.values[i], ""
		}
	} else {
		for _, o := range e.values {
			if o == v {
				return o, ""
			}
		}
	}
	if i, why := fold(e.values, v, e.values, "value"); i >= 0 || why != "" {
		return pick(e.values, i), why
	}
	if e.matchLabels {
		if i, why := fold(e.labels, v, e.values, "label"); i >= 0 || why != "" {
			return pick(e.values, i), why
		}
	} else if i, _ := fold(e.labels, v, e.values, "label"); i >= 0 {
		return "", fmt.Sprintf("is not an option; it is the label of option %q: send the value, or pass --match-labels (mapping.match_labels in a config file); %s", e.values[i], e.want)
	}
	return "", "is not an option; " + e.want
}

// fold returns the position of the one entry of list equal to v ignoring
// case, -1 when none is, or why when several are.
func fold(list []string, v string, values []string, what string) (int, string) {
	found := -1
	for i, s := range list {
		if !strings.EqualFold(s, v) {
			continue
		}
		if found >= 0 {
			return -1, fmt.Sprintf("matches the %ss of options %q and %q ignoring case; write the value exactly", what, values[found], values[i])
		}
		found = i
	}
	return found, ""
}

func pick(values []string, i int) string {
	if i < 0 {
		return ""
	}
	return values[i]
}

// coerceMulti maps each part of a multi-select value and joins the option
// values with ';' (docs/hubspot-api.md §9). A leading separator is kept as a leading
// ';', which appends to the record's values instead of replacing them.
// Empty parts are skipped; send is false when no part is left. The result
// is v itself when v is already in that form.
func (e *enum) coerceMulti(v string) (out string, send bool, why string) {
	appendMode := strings.HasPrefix(v, e.sep)
	canonical, parts := e.sep == ";", 0
	for i, rest := 0, v; rest != ""; i++ {
		part, tail, _ := strings.Cut(rest, e.sep)
		rest = tail
		p := strings.TrimSpace(part)
		if p == "" {
			canonical = canonical && i == 0 && part == "" // the leading ';' of append mode
			continue
		}
		val, why := e.lookup(p)
		if why != "" {
			return "", false, fmt.Sprintf("has %q, which %s", p, why)
		}
		canonical = canonical && val == part
		parts++
	}
	switch {
	case parts == 0:
		return "", false, ""
	case canonical && !strings.HasSuffix(v, e.sep):
		return v, true, ""
	}
	var b strings.Builder
	b.Grow(len(v) + 1)
	if appendMode {
		b.WriteByte(';')
	}
	n := 0
	for rest := v; rest != ""; {
		part, tail, _ := strings.Cut(rest, e.sep)
		rest = tail
		if p := strings.TrimSpace(part); p != "" {
			val, _ := e.lookup(p)
			if n > 0 {
				b.WriteByte(';')
			}
			b.WriteString(val)
			n++
		}
	}
	return b.String(), true, ""
}
