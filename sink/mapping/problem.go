package mapping

import (
	"strconv"
	"strings"
)

// ProblemKind classifies a preflight Problem.
type ProblemKind string

// The kinds of preflight problems.
const (
	UnknownColumn   ProblemKind = "unknown_column"   // a column is neither renamed nor a property
	UnknownProperty ProblemKind = "unknown_property" // the config names a property that does not exist
	ReadOnly        ProblemKind = "read_only"        // a column or constant targets a read-only property
	DuplicateTarget ProblemKind = "duplicate_target" // two columns, or a column and a constant, set one property
	MissingColumn   ProblemKind = "missing_column"   // mapping.columns renames a column the file does not have
	IDColumnMapped  ProblemKind = "id_column_mapped" // mapping.columns renames the id column
	BadIDProperty   ProblemKind = "bad_id_property"  // the id property is missing or not unique
	BadConstant     ProblemKind = "bad_constant"     // a constant's value does not coerce
)

// Problem is one reason New refuses a mapping.
type Problem struct {
	Kind       ProblemKind
	Column     string // the column or key concerned, if any
	Property   string // the property concerned, if any
	Suggestion string // closest property name, for unknown names; may be ""
	Message    string // one line for people, naming what to change
}

// PreflightError lists every problem New found, in a stable order: header
// columns first, then the config's columns, constants and property
// overrides by name, then the id property.
type PreflightError struct {
	Problems []Problem
}

// Error prints a summary line and then each problem on a line of its own.
func (e *PreflightError) Error() string {
	var b strings.Builder
	b.WriteString("check mapping: ")
	b.WriteString(strconv.Itoa(len(e.Problems)))
	if len(e.Problems) == 1 {
		b.WriteString(" problem:")
	} else {
		b.WriteString(" problems:")
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Message)
	}
	return b.String()
}

// quoteList quotes the first maxListed entries of s for a message.
func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return listed(q)
}
