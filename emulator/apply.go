package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// outcome is what apply did, ready to be encoded without the lock.
type outcome struct {
	results []result
	missing []string // context.ids of the OBJECT_NOT_FOUND error, input order
	stamp   string   // the write time, formatted: updatedAt of every result
}

// result is one applied input.
type result struct {
	id       string      // internal id, decimal
	props    []propValue // stored values of the written properties plus system ones, by name
	trace    string
	hasTrace bool
}

// target is the record an input addresses.
type target struct {
	id       int64     // 0 = no such record
	key      targetKey // inputs with equal keys are duplicates
	dupLabel string    // the input in a "Duplicate IDs" message
	nfLabel  string    // the input in OBJECT_NOT_FOUND context.ids
}

type targetKey struct {
	id  int64
	raw string // for inputs that name no record id
}

// resolve finds the record that input in addresses. Without idProperty a numeric id is
// a record id ("0123" is record 123); a non-numeric one names nothing and is
// reported as "" (docs/hubspot-api.md §7, observed). HubSpot's label for a missing
// numeric id is [U]; the emulator reports its canonical decimal form.
func (s *Server) resolve(ot *objType, in batchInput) target {
	if in.hasIDProp {
		p := ot.props[in.idProperty]
		if id, ok := s.st.byUnique(ot, p, in.id); ok {
			l := strconv.FormatInt(id, 10)
			return target{id: id, key: targetKey{id: id}, dupLabel: l, nfLabel: l}
		}
		return target{key: targetKey{raw: p.name + "\x00" + in.id}, dupLabel: in.id, nfLabel: in.id}
	}
	if n, ok := parseRecordID(in.id); ok {
		l := strconv.FormatInt(n, 10)
		t := target{key: targetKey{id: n}, dupLabel: l, nfLabel: l}
		if s.st.exists(ot, n) {
			t.id = n
		}
		return t
	}
	return target{key: targetKey{raw: "\x00" + in.id}, dupLabel: in.id, nfLabel: ""}
}

// parseRecordID accepts only ASCII digits that fit an int64.
func parseRecordID(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// apply resolves, checks and writes a validated batch. It must be called
// with s.mu held. Duplicates (400) and unique-value conflicts (409) refuse
// the whole batch before anything is written.
func (s *Server) apply(ot *objType, inputs []batchInput, now time.Time) (outcome, int, *apiError) {
	targets := make([]target, len(inputs))
	seen := make(map[targetKey]bool, len(inputs))
	var dups []string
	for i, in := range inputs {
		t := s.resolve(ot, in)
		targets[i] = t
		if reported, dup := seen[t.key]; dup {
			if !reported {
				dups = append(dups, t.dupLabel)
				seen[t.key] = true
			}
			continue
		}
		seen[t.key] = false
	}
	if len(dups) > 0 {
		// docs/hubspot-api.md §7, observed; also for two inputs reaching one record
		// through idProperty.
		e := validationError(fmt.Sprintf("Duplicate IDs found in batch input: [%s]. IDs must be unique",
			strings.Join(dups, ", ")), map[string][]string{"ids": dups})
		return outcome{}, http.StatusBadRequest, &e
	}
	if e := s.conflict(ot, targets, inputs); e != nil {
		return outcome{}, http.StatusConflict, e
	}

	stamp := formatTime(now)
	out := outcome{results: make([]result, 0, len(inputs)), stamp: stamp}
	for i, t := range targets {
		if t.id == 0 {
			out.missing = append(out.missing, t.nfLabel)
			continue
		}
		vals := inputs[i].props
		for j, pv := range vals {
			if ot.props[pv.name].multi && strings.HasPrefix(pv.value, ";") {
				vals[j].value = appendOptions(s.st.current(ot, t.id, pv.name), pv.value[1:])
			}
		}
		s.st.write(ot, t.id, vals)
		props := make([]propValue, 0, len(vals)+2)
		props = append(props, vals...)
		idStr := strconv.FormatInt(t.id, 10)
		props = append(props, propValue{"hs_object_id", idStr}, propValue{ot.lastMod, stamp})
		slices.SortFunc(props, func(a, b propValue) int { return strings.Compare(a.name, b.name) })
		in := inputs[i]
		out.results = append(out.results, result{id: idStr, props: props, trace: in.traceID, hasTrace: in.hasTrace})
	}
	s.stats.RecordsApplied += len(out.results)
	s.order(out.results)
	if len(out.missing) > 0 {
		return out, http.StatusMultiStatus, nil
	}
	return out, http.StatusOK, nil
}

// conflict refuses a batch that would give a unique value to a second record.
// Whether HubSpot answers 409 on update is [U] (docs/hubspot-api.md §7, seen on create);
// refusing is the strict choice, and the body follows the create form.
func (s *Server) conflict(ot *objType, targets []target, inputs []batchInput) *apiError {
	claims := make(map[[2]string]int64)
	for i, t := range targets {
		if t.id == 0 {
			continue
		}
		for _, pv := range inputs[i].props {
			name, v := pv.name, pv.value
			p := ot.props[name]
			if !p.unique || v == "" {
				continue
			}
			owner, taken := s.st.byUnique(ot, p, v)
			if prev, ok := claims[[2]string{name, v}]; ok && prev != t.id {
				owner, taken = prev, true
			}
			if taken && owner != t.id {
				return &apiError{
					Message:  fmt.Sprintf("%s already exists. Existing ID: %d", ot.label, owner),
					Context:  map[string][]string{"existingId": {strconv.FormatInt(owner, 10)}, "propertyName": {name}},
					Category: "CONFLICT",
				}
			}
			claims[[2]string{name, v}] = t.id
		}
	}
	return nil
}

// appendOptions adds the ';'-separated values of add to existing, skipping
// values already present (docs/hubspot-api.md §9: a leading ';' appends).
func appendOptions(existing, add string) string {
	var vals []string
	if existing != "" {
		vals = strings.Split(existing, ";")
	}
	for _, v := range strings.Split(add, ";") {
		if !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	return strings.Join(vals, ";")
}

// order arranges results per Config.ResultOrder; s.mu must be held (rng).
func (s *Server) order(rs []result) {
	switch s.cfg.ResultOrder {
	case Shuffle:
		s.rng.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
	case Reverse:
		slices.Reverse(rs)
	case InputOrder:
	}
}
