package sink

import "strings"

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
//     HubSpot's internal id, so only properties[idProperty] can name it
//     (inputIndex.ofResult).
//   - An error naming an input by trace id or id fails it. An input both
//     confirmed and failed is Unknown (tally).
//   - The inputs neither confirmed nor failed are decided by what the
//     response left over: results that named no input, errors whose ids
//     are "", errors naming something else (leftover.verdict).
//   - A status other than COMPLETE (when present) turns Applied into
//     Unknown: HubSpot did not say the work was done (requireComplete).
//
// Much of what these rules lean on is [U] in docs/hubspot-api.md §4/§7: result order,
// whether objectWriteTraceId is echoed in results or in errors' context,
// what context.ids holds for a missing numeric id, whether properties echo
// the idProperty value, and what a merged record looks like. The rules are
// chosen to be safe whichever way each turns out: without proof an input is
// Unknown, never Applied.
func match(inputs []Input, m batchMeta, status string, results []resultRef, errs []errorRef) []ItemResult {
	idx := inputIndex{inputs: inputs, meta: m}
	t := newTally(len(inputs))
	var left leftover
	for _, r := range results {
		if i := idx.ofResult(r); i >= 0 {
			t.confirm(i)
		} else {
			left.addResult(r.id)
		}
	}
	for e := range errs {
		named, blanks, stray := idx.ofError(errs[e])
		for _, i := range named {
			t.fail(i, &errs[e])
		}
		left.addError(errs[e], blanks, stray)
	}
	items, rest := t.settle()
	if len(rest) > 0 {
		v := left.verdict(len(rest), m.idProperty != "", idx.duplicates())
		for _, i := range rest {
			items[i] = v
		}
	}
	requireComplete(items, status)
	return items
}

// requireComplete turns every Applied item Unknown when the batch status
// is present and not COMPLETE (in any case): HubSpot did not say the work
// was done (docs/hubspot-api.md §4).
func requireComplete(items []ItemResult, status string) {
	if status == "" || strings.EqualFold(status, "COMPLETE") {
		return
	}
	for i := range items {
		if items[i].Outcome == Applied {
			items[i] = ItemResult{Message: "batch status is " + status + ", not COMPLETE"}
		}
	}
}
