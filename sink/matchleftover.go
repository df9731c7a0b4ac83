package sink

import (
	"slices"
	"strings"
)

// leftover is what a response holds besides the inputs it names: results
// that named no input, "" ids in errors, and errors that name something
// else. Its verdict decides the inputs nobody named.
type leftover struct {
	results   []string   // canonical ids of results that named no input
	blanks    int        // "" ids in errors
	blankErrs []errorRef // the errors holding them, each once
	stray     bool       // an error names something not in this batch, or nothing
}

// addResult keeps a result that named no input.
func (l *leftover) addResult(id string) { l.results = append(l.results, CanonicalID(id)) }

// addError keeps what an error left: its "" ids, and whether it is stray
// (see inputIndex.ofError).
func (l *leftover) addError(e errorRef, blanks int, stray bool) {
	l.stray = l.stray || stray
	if blanks > 0 {
		l.blanks += blanks
		l.blankErrs = append(l.blankErrs, e)
	}
}

// verdict is the outcome of each of the n inputs the response neither
// confirmed nor failed by name; byProperty says the inputs were sent with
// an idProperty, dupIDs that two of them share a canonical id.
//
// With an idProperty, results left that pair up one to one with the n
// inputs are taken as theirs: a result's id is then expected to differ
// from the value sent, and may be all that comes back. Without one, a
// result names its record by the id that was sent, so a result naming an
// id never sent proves nothing about any input. "" ids as many as the
// inputs fail them. Anything else leaves the inputs Unknown: re-sending
// an applied update is harmless, reporting success we cannot prove is not.
func (l *leftover) verdict(n int, byProperty, dupIDs bool) ItemResult {
	why := ""
	switch {
	case l.stray:
		why = "response has an error naming no input of this batch"
	case dupIDs:
		why = "batch has inputs with the same id"
	case !byProperty && len(l.results) > 0:
		why = "response confirms record ids that were not sent in this batch"
	case l.blanks == 0 && len(l.results) == n && distinct(l.results):
		return ItemResult{Outcome: Applied}
	case len(l.results) == 0 && l.blanks == n:
		return blankFailure(l.blankErrs)
	case len(l.results) == 0 && l.blanks == 0:
		why = "input is in neither results nor errors of the response"
	default:
		why = "response cannot be matched to inputs (unmatched results or errors with empty ids)"
	}
	return ItemResult{Message: why}
}

// blankFailure is the failure given to inputs matched to "" ids: the
// error's own when all errs agree on it, else their reasons combined.
func blankFailure(errs []errorRef) ItemResult {
	agree := true
	for _, e := range errs[1:] {
		agree = agree && sameError(e, errs[0])
	}
	if agree {
		return failedItem(errs[0])
	}
	var codes, msgs []string
	for _, e := range errs {
		if it := failedItem(e); !slices.Contains(codes, it.Code) {
			codes = append(codes, it.Code)
		}
		if e.message != "" && !slices.Contains(msgs, e.message) {
			msgs = append(msgs, e.message)
		}
	}
	return ItemResult{Outcome: Failed, Code: strings.Join(codes, "|"),
		Message: "one of: " + strings.Join(msgs, " | ")}
}

func sameError(a, b errorRef) bool {
	return a.category == b.category && a.message == b.message
}

// distinct reports whether ids are all non-empty and different.
func distinct(ids []string) bool {
	seen := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		if id == "" {
			return false
		}
		if _, dup := seen[id]; dup {
			return false
		}
		seen[id] = struct{}{}
	}
	return true
}
