package sink

import "strings"

// CanonicalID is the form in which record ids and idProperty values are
// compared, both to keep two inputs for one record out of one batch and to
// find the input a result or error names: surrounding spaces trimmed, an
// all-digit value without leading zeros ("0123" is "123", "000" is "0"),
// any other value in lower case.
//
// Record ids are numbers, so "0123" is record 123. Whether HubSpot compares
// idProperty values without case, or a number property's values without
// leading zeros, is not on record (docs/hubspot-api.md §7 is silent: [U]),
// so the rule folds both for every value, erring towards "same", the safe
// side for each caller. Two distinct records kept apart only cost a smaller
// batch, where two inputs for one record sent together get the whole batch
// refused (§7). And inputs of one batch that share a canonical id match no
// result or error: they come out Unknown and are sent again, never Applied
// on a guess.
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
