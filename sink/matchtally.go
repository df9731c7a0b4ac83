package sink

// tally is what a response said of each input by name: confirmed by a
// result, failed by an error, or both.
type tally struct {
	applied []bool
	failed  []*errorRef // the error that failed the input; nil if none
}

func newTally(n int) tally {
	return tally{applied: make([]bool, n), failed: make([]*errorRef, n)}
}

// confirm records that a result named input i.
func (t tally) confirm(i int) { t.applied[i] = true }

// fail records that error e named input i. A later error naming it
// replaces an earlier one.
func (t tally) fail(i int, e *errorRef) { t.failed[i] = e }

// settle gives every input named its outcome and returns the indexes of
// the inputs nobody named, whose items it leaves zero. An input both
// confirmed and failed is Unknown: the response contradicts itself.
func (t tally) settle() (items []ItemResult, rest []int) {
	items = make([]ItemResult, len(t.applied))
	for i, ok := range t.applied {
		switch {
		case ok && t.failed[i] != nil:
			items[i].Message = "response both confirms and rejects this input"
		case ok:
			items[i].Outcome = Applied
		case t.failed[i] != nil:
			items[i] = failedItem(*t.failed[i])
		default:
			rest = append(rest, i)
		}
	}
	return items, rest
}

// failedItem is the failure error e gives the inputs it names.
func failedItem(e errorRef) ItemResult {
	code := e.category
	if code == "" {
		code = "UNSPECIFIED_ERROR"
	}
	return ItemResult{Outcome: Failed, Code: code, Message: e.message}
}
