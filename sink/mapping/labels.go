package mapping

import (
	"fmt"
	"strings"

	"github.com/hubsync/hubsync/sink"
)

// AmbiguousLabel is the ProblemKind of a column named like the label of
// more than one property (or like one's label and, case aside, another's
// name): which one it means cannot be guessed.
const AmbiguousLabel ProblemKind = "ambiguous_label"

// LabelMatch is a CSV column that maps to a property because it is named by
// the property's label, as HubSpot's own exports name their columns
// ("Call notes" for hs_call_body).
type LabelMatch struct {
	Column   string
	Property string
}

// LabelMatches returns the columns mapped by their label, in header order,
// so that the caller can say so once; nil when there are none.
func (m *Mapper) LabelMatches() []LabelMatch { return m.labels }

// byLabel returns the properties a column not named like any property may
// mean: those whose label, or whose name case aside, is the column's name,
// both trimmed and compared case-insensitively. Exactly one is a match;
// more are ambiguous.
func byLabel(col string, props []sink.Property) []string {
	want := strings.TrimSpace(col)
	if want == "" {
		return nil
	}
	var found []string
	for i := range props {
		p := &props[i]
		if strings.EqualFold(strings.TrimSpace(p.Label), want) || strings.EqualFold(p.Name, want) {
			if !contains(found, p.Name) {
				found = append(found, p.Name)
			}
		}
	}
	return found
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// ambiguousLabel is the problem of a column whose name fits several
// properties.
func ambiguousLabel(col string, candidates []string) Problem {
	return Problem{Kind: AmbiguousLabel, Column: col, Message: fmt.Sprintf(
		"column %q is the label of %d properties, %s: say which with --map %q (or mapping.columns), or drop it with --drop %q",
		col, len(candidates), joinAnd(candidates), col+"="+candidates[0], col)}
}

// joinAnd quotes s as "a", "b" and "c".
func joinAnd(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
