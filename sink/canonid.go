package sink

import "strings"

// CanonicalID is the form in which hubsync compares record ids and
// idProperty values, both to tell whether two inputs may reach one record
// and to find the input a result or error names. The rule: surrounding
// spaces trimmed; an all-digit value without leading zeros ("0123" is
// "123", "000" is "0"); any other value in lower case.
//
// Record ids are numbers: "0123" names record 123, and an error may name
// it "123" (what context.ids holds for a missing numeric id is [U],
// docs/hubspot-api.md §7). How HubSpot compares idProperty values, with or
// without case, and a number property's values with or without leading
// zeros, is not on record either, so the rule treats those as [U] and folds
// both for every value: it errs towards "same", the safe side for each
// caller. Two inputs with one canonical id that are kept out of one batch
// only cost a smaller batch, where sending them together could get the
// whole batch refused as duplicates (§7); and two inputs of one batch with
// one canonical id match no result or error, so they come out Unknown and
// are sent again, never Applied on a guess.
func CanonicalID(id string) string {
	id = strings.TrimSpace(id)
	if id == "" {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return strings.ToLower(id)
		}
	}
	if t := strings.TrimLeft(id, "0"); t != "" {
		return t
	}
	return "0"
}
