package sink

import "strings"

// inputIndex finds the input of a batch that a result or an error names:
// by the objectWriteTraceId it was sent with, else by its canonical id.
type inputIndex struct {
	inputs []Input
	meta   batchMeta
	// byID maps canonical ids to inputs, or to -1 for an id that two
	// inputs share. It is built on first use: when every result and error
	// names its input by trace id, as the emulator's answers do, no map is
	// needed.
	byID map[string]int
	dup  bool // two inputs share a canonical id; set with byID
}

// ofTrace returns the input sent with trace id t, or -1.
func (x *inputIndex) ofTrace(t string) int {
	if t == "" {
		return -1
	}
	return traceIndex(t, x.meta.tracePrefix, x.meta.traceStart, len(x.inputs))
}

// ofID returns the one input whose canonical id is id's, or -1 when there
// is none or more than one: an id two inputs share names neither.
func (x *inputIndex) ofID(id string) int {
	k := CanonicalID(id)
	if k == "" {
		return -1
	}
	if i, ok := x.ids()[k]; ok {
		return i
	}
	return -1
}

// ofResult returns the input a result names, or -1. Without a trace id the
// result names its input by the id that was sent: the record id, or with an
// idProperty the value echoed in its properties, since the result's own id
// is then HubSpot's record id (docs/hubspot-api.md §4).
func (x *inputIndex) ofResult(r resultRef) int {
	if i := x.ofTrace(r.trace); i >= 0 {
		return i
	}
	if x.meta.idProperty != "" {
		return x.ofID(r.prop)
	}
	return x.ofID(r.id)
}

// ofError returns the inputs an error names by trace id or by id, and how
// many "" ids it holds (ids HubSpot could not render, which name no input).
// stray reports an error that names anything but an input of this batch,
// or nothing at all.
func (x *inputIndex) ofError(e errorRef) (named []int, blanks int, stray bool) {
	named = make([]int, 0, len(e.traces)+len(e.ids))
	for _, t := range e.traces {
		if i := x.ofTrace(t); i >= 0 {
			named = append(named, i)
		} else {
			stray = true
		}
	}
	for _, id := range e.ids {
		if isBlank(id) {
			blanks++
		} else if i := x.ofID(id); i >= 0 {
			named = append(named, i)
		} else {
			stray = true // an id we did not send, or one two inputs share
		}
	}
	if len(named) == 0 && blanks == 0 {
		stray = true
	}
	return named, blanks, stray
}

// duplicates reports whether two inputs share a canonical id.
func (x *inputIndex) duplicates() bool {
	x.ids()
	return x.dup
}

func (x *inputIndex) ids() map[string]int {
	if x.byID != nil {
		return x.byID
	}
	x.byID = make(map[string]int, len(x.inputs))
	for i, in := range x.inputs {
		k := CanonicalID(in.ID)
		if k == "" {
			continue
		}
		if _, dup := x.byID[k]; dup {
			x.byID[k] = -1
			x.dup = true
			continue
		}
		x.byID[k] = i
	}
	return x.byID
}

func isBlank(id string) bool { return strings.TrimSpace(id) == "" }
