package pipeline

import (
	"fmt"
	"strings"
	"sync"

	"github.com/hubsync/hubsync/sink"
)

// SchemaError stops a run because HubSpot refuses a property itself, not a
// value: every record that sets it would fail the same way, so isolating
// them one by one would only spend the API budget.
type SchemaError struct {
	Property, Code, Message string
	Line                    int64 // a record that sets the property
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("HubSpot refuses property %q for every record (%s: %s, first seen on line %d); map or drop that column and rerun",
		e.Property, e.Code, e.Message, e.Line)
}

// schemaError returns a *SchemaError when a rejection names a property that
// does not exist or is read-only and one of the records idx sets it.
func schemaError(e *sink.APIError, b *batch, idx []int) error {
	if e == nil {
		return nil
	}
	for _, pe := range e.PropertyErrors() {
		if pe.Code != "PROPERTY_DOESNT_EXIST" && pe.Code != "READ_ONLY_VALUE" {
			continue
		}
		for _, i := range idx {
			if _, ok := propValue(&b.items[i], pe.Name); ok {
				return &SchemaError{Property: pe.Name, Code: pe.Code, Message: pe.Message, Line: b.items[i].rec.Line}
			}
		}
	}
	return nil
}

// suspects divides idx for a rejected request: first the records whose
// values HubSpot's errors point at (the property named, and the value quoted
// in the message where it is), then the rest, so that one bad record in a
// hundred costs two more requests instead of a binary search. When the
// errors point at none or all of them, it halves idx.
func suspects(e *sink.APIError, b *batch, idx []int) (first, rest []int) {
	if e != nil {
		hit := make(map[int]bool)
		for _, pe := range e.PropertyErrors() {
			var byName []int
			found := false
			for _, i := range idx {
				v, ok := propValue(&b.items[i], pe.Name)
				if !ok {
					continue
				}
				byName = append(byName, i)
				if quotes(pe.Message, v) {
					hit[i] = true
					found = true
				}
			}
			if !found {
				for _, i := range byName {
					hit[i] = true
				}
			}
		}
		if len(hit) > 0 && len(hit) < len(idx) {
			for _, i := range idx {
				if hit[i] {
					first = append(first, i)
				} else {
					rest = append(rest, i)
				}
			}
			return first, rest
		}
	}
	half := len(idx) / 2
	return idx[:half], idx[half:]
}

// quotes reports whether HubSpot's message names value v: as its first
// word ("CARRIER_PIGEON was not one of the allowed options"), in quotes, or
// as a word of its own.
func quotes(msg, v string) bool {
	if v == "" {
		return false
	}
	return strings.HasPrefix(msg, v+" ") || strings.Contains(msg, `"`+v+`"`) || strings.Contains(msg, " "+v+" ")
}

func propValue(it *item, name string) (string, bool) {
	for _, p := range it.rec.Props {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// rejectStreak stops a run in which whole batches are rejected record by
// record: the same mistake in every row (a date in the wrong format, say)
// is better fixed once than dead-lettered a million times.
type rejectStreak struct {
	mu    sync.Mutex
	n     int // batches in a row with no record applied and two or more sent
	limit int
}

// settled records a batch's failures and returns an error when the streak
// reached its limit. Only whole-request rejections count: records HubSpot
// reports one by one (a 207 OBJECT_NOT_FOUND) cost no extra requests.
func (s *rejectStreak) settled(fails []failure) error {
	if len(fails) < 2 {
		return nil
	}
	codes := map[string]int{}
	for _, f := range fails {
		if !f.rejected {
			s.mu.Lock()
			s.n = 0
			s.mu.Unlock()
			return nil
		}
		codes[f.code]++
	}
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	if s.limit > 0 && n >= s.limit {
		return fmt.Errorf("%w: every record of the last %d batches was rejected (%v); fix the input and rerun", ErrAllRejected, n, codes)
	}
	return nil
}
