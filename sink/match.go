package sink

import (
	"slices"
	"strings"
)

// resultRef is the part of a results[] entry used for matching.
type resultRef struct {
	id    string // HubSpot's record id
	trace string // objectWriteTraceId, if echoed
	prop  string // value of the idProperty in properties, if echoed
}

// errorRef is the part of an errors[] entry used for matching.
type errorRef struct {
	category, message string
	ids               []string // context.ids; "" for ids HubSpot could not render
	traces            []string // context.objectWriteTraceId
}

// match resolves one ItemResult per input from the results and errors of a
// 200/207 body, never by position. The rules, safest first:
//
//   - A result carrying one of our trace ids applies that input. Otherwise
//     its id (canonical form) names the input; with an idProperty its id is
//     HubSpot's internal id, so only properties[idProperty] can name it.
//   - An error naming an input by trace id or id fails it. An input both
//     confirmed and failed is Unknown.
//   - Left are the inputs R neither confirmed nor failed, the results M that
//     named no input, and the errors whose ids are "". With an idProperty,
//     if only results are left and |M| == |R|, each is a distinct input and
//     R is Applied: there a result's id is expected to differ from what was
//     sent, and may be all that comes back. Without one a result names its
//     record by the id that was sent, so a result naming an id never sent
//     proves nothing about any input. If only "" ids are left and their
//     count is |R|, R is Failed. Anything else — an error naming no input of
//     ours, duplicate keys, both kinds left over, results naming ids never
//     sent — leaves R Unknown: re-sending an applied update is harmless,
//     reporting success we cannot prove is not.
//   - A status other than COMPLETE (when present) turns Applied into
//     Unknown: HubSpot did not say the work was done.
//
// Much of what these rules lean on is [U] in docs/hubspot-api.md §4/§7: result order,
// whether objectWriteTraceId is echoed in results or in errors' context,
// what context.ids holds for a missing numeric id, whether properties echo
// the idProperty value, and what a merged record looks like. The rules are
// chosen to be safe whichever way each turns out: without proof an input is
// Unknown, never Applied.
func match(inputs []Input, m batchMeta, status string, results []resultRef, errs []errorRef) []ItemResult {
	n := len(inputs)
	items := make([]ItemResult, n)
	applied := make([]bool, n)
	failedBy := make([]int, n) // index into errs + 1; 0 = not failed
	// byKey maps canonical ids to inputs. It is built on first use: when
	// every result and error names its input by trace id, as the emulator's
	// answers do, no map is needed.
	var byKey map[string]int
	dupKeys := false
	keys := func() map[string]int {
		if byKey != nil {
			return byKey
		}
		byKey = make(map[string]int, n)
		for i, in := range inputs {
			k := CanonicalID(in.ID)
			if k == "" {
				continue
			}
			if _, dup := byKey[k]; dup {
				byKey[k] = -1 // ambiguous: matches neither
				dupKeys = true
				continue
			}
			byKey[k] = i
		}
		return byKey
	}
	lookup := func(id string) int {
		if k := CanonicalID(id); k != "" {
			if i, ok := keys()[k]; ok {
				return i
			}
		}
		return -1
	}
	find := func(trace string) int {
		if trace == "" {
			return -1
		}
		return traceIndex(trace, m.tracePrefix, m.traceStart, n)
	}

	var unmatched []string // ids of results that named no input
	for _, r := range results {
		i := find(r.trace)
		if i < 0 && m.idProperty == "" {
			i = lookup(r.id)
		} else if i < 0 {
			i = lookup(r.prop)
		}
		if i >= 0 {
			applied[i] = true
			continue
		}
		unmatched = append(unmatched, CanonicalID(r.id))
	}

	blanks, blankFrom, stray := 0, -1, false
	for e, er := range errs {
		named := false
		for _, t := range er.traces {
			if i := find(t); i >= 0 {
				failedBy[i], named = e+1, true
			} else {
				stray = true
			}
		}
		for _, id := range er.ids {
			if isBlank(id) {
				blanks++
				named = true
				if blankFrom < 0 {
					blankFrom = e
				} else if !sameError(errs[blankFrom], er) {
					blankFrom = -2 // "" errors disagree on the reason
				}
				continue
			}
			if i := lookup(id); i >= 0 {
				failedBy[i], named = e+1, true
			} else {
				stray = true // an id we did not send, or an ambiguous one
			}
		}
		if !named {
			stray = true // an error that names no input at all
		}
	}

	var rest []int
	for i := range items {
		switch {
		case applied[i] && failedBy[i] > 0:
			items[i].Message = "response both confirms and rejects this input"
		case applied[i]:
			items[i].Outcome = Applied
		case failedBy[i] > 0:
			items[i] = failedItem(errs[failedBy[i]-1])
		default:
			rest = append(rest, i)
		}
	}

	if len(rest) > 0 {
		keys() // sets dupKeys
		why := ""
		switch {
		case stray:
			why = "response has an error naming no input of this batch"
		case dupKeys:
			why = "batch has inputs with the same id"
		case m.idProperty == "" && len(unmatched) > 0:
			why = "response confirms record ids that were not sent in this batch"
		case blanks == 0 && len(unmatched) == len(rest) && distinct(unmatched):
			for _, i := range rest {
				items[i].Outcome = Applied
			}
		case len(unmatched) == 0 && blanks == len(rest):
			fail := blankFailure(errs, blankFrom)
			for _, i := range rest {
				items[i] = fail
			}
		case len(unmatched) == 0 && blanks == 0:
			why = "input is in neither results nor errors of the response"
		default:
			why = "response cannot be matched to inputs (unmatched results or errors with empty ids)"
		}
		if why != "" {
			for _, i := range rest {
				items[i].Message = why
			}
		}
	}

	if status != "" && !strings.EqualFold(status, "COMPLETE") {
		for i := range items {
			if items[i].Outcome == Applied {
				items[i] = ItemResult{Message: "batch status is " + status + ", not COMPLETE"}
			}
		}
	}
	return items
}

func sameError(a, b errorRef) bool {
	return a.category == b.category && a.message == b.message
}

func failedItem(e errorRef) ItemResult {
	code := e.category
	if code == "" {
		code = "UNSPECIFIED_ERROR"
	}
	return ItemResult{Outcome: Failed, Code: code, Message: e.message}
}

// blankFailure is the failure given to inputs matched to "" ids: the error's
// own when all such errors agree, else their reasons combined.
func blankFailure(errs []errorRef, from int) ItemResult {
	if from >= 0 {
		return failedItem(errs[from])
	}
	var codes, msgs []string
	for _, e := range errs {
		if !slices.ContainsFunc(e.ids, isBlank) {
			continue
		}
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

func isBlank(id string) bool { return strings.TrimSpace(id) == "" }

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
