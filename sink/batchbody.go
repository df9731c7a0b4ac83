package sink

// batchBody is what matching needs from a 200/207 body (docs/hubspot-api.md §4).
type batchBody struct {
	status  string
	results []resultRef
	errors  []errorRef
}

// The members of a 200/207 body that parseBatch reads. encoding/json, which
// hubsync used before, matched them to struct fields case-insensitively, so
// parseBatch does too.
var (
	topFields    = []string{"status", "results", "errors"}
	resultFields = []string{"id", "objectWriteTraceId", "properties"}
	errorFields  = []string{"category", "message", "context"}
)

// parseBatch reads a 200/207 body in one pass and returns what matching
// needs, skipping everything else. hint is the number of inputs sent.
//
// It fails only on a body that is not JSON; a syntax error inside the
// properties a result echoes, or inside a string member of a result that
// it does not read, may pass unseen (see skim and skimValue). Like the
// lenient encoding/json decoding it replaces (the oracle of
// FuzzDecodeResponse), it takes every
// field as optional, reads a non-string scalar where a string is expected
// as its literal text and null or a container as "", and ignores a value
// of any other unexpected type, leaving what an earlier duplicate key set.
// A string with escapes is decoded as encoding/json decodes it (invalid
// UTF-8 and lone surrogates become U+FFFD); one without is kept byte for
// byte, as flexString kept it.
// Duplicate keys resolve as encoding/json resolves them into reused values:
// the last wins, and a repeated results or errors array decodes over the
// elements of the earlier one.
func parseBatch(body []byte, idProperty string, hint int) (batchBody, error) {
	return readBatch(body, idProperty, hint, false)
}

// readBatch is parseBatch, reading everything in full when exact.
func readBatch(body []byte, idProperty string, hint int, exact bool) (batchBody, error) {
	p := batchParser{
		jsonReader: jsonReader{b: body, out: make([]byte, 0, 32*hint), exact: exact},
		results:    make([]resultSlot, 0, hint),
		wantProp:   idProperty != "",
		idProp:     newMapKey(idProperty),
		ids:        newMapKey("ids"),
		traces:     newMapKey("objectWriteTraceId"),
	}
	p.ws()
	if p.peek() == '{' {
		p.top()
	} else {
		p.skip(0) // valid JSON of another type: nothing to read
	}
	p.ws()
	if p.err == nil && p.i < len(p.b) {
		p.fail("data after top-level value")
	}
	if p.err != nil {
		return batchBody{}, p.err
	}
	return p.body(), nil
}

// batchParser holds a body being read. results and errors are the slots a
// decoded array reuses: encoding/json decodes the i-th element of a later
// array with the same key into whatever an earlier one left there, and
// only null or [] clears them.
type batchParser struct {
	jsonReader
	status   span
	results  []resultSlot
	nResults int // length of the last results array
	errors   []errorSlot
	nErrors  int
	wantProp bool // properties[idProperty] is wanted
	idProp   mapKey
	ids      mapKey
	traces   mapKey
}

type resultSlot struct{ id, trace, prop span }

type errorSlot struct {
	category, message span
	ids, traces       spanList
}

func (p *batchParser) top() {
	if !p.open(1) {
		return
	}
	for first := true; ; first = false {
		key, esc, ok := p.member(first)
		if !ok {
			return
		}
		switch fieldIndex(key, esc, topFields) {
		case 0:
			p.status = p.flex(1)
		case 1:
			objectArray(p, &p.results, &p.nResults, p.resultItem)
		case 2:
			objectArray(p, &p.errors, &p.nErrors, p.errorItem)
		default:
			p.skip(1)
		}
	}
}

// objectArray reads the value of results or errors, at depth 1, into
// *slots: one slot per element, objects read by item, anything else
// skipped. As encoding/json does, a repeated array decodes over the slots
// of the earlier one; *n is how many elements this one had, and null
// empties it.
func objectArray[T any](p *batchParser, slots *[]T, n *int, item func(*T)) {
	switch p.peek() {
	case '[':
		if !p.open(2) {
			return
		}
		k := 0
		for first := true; p.element(first); first = false {
			if k == len(*slots) {
				*slots = append(*slots, *new(T))
			}
			if p.peek() == '{' {
				item(&(*slots)[k])
			} else {
				p.skip(2)
			}
			k++
		}
		if k == 0 {
			*slots = (*slots)[:0]
		}
		*n = k
	case 'n':
		if p.literal("null") {
			*slots, *n = (*slots)[:0], 0
		}
	default:
		p.skip(1)
	}
}

// resultItem reads one element of results, at depth 2.
func (p *batchParser) resultItem(r *resultSlot) {
	if !p.open(3) {
		return
	}
	for first := true; ; first = false {
		key, esc, ok := p.member(first)
		if !ok {
			return
		}
		switch n := fieldIndex(key, esc, resultFields); {
		case n == 0:
			r.id = p.flex(3)
		case n == 1:
			r.trace = p.flex(3)
		case n == 2 && p.wantProp:
			p.properties(r)
		case n == 2 && p.peek() == '{':
			p.skim(3)
		default:
			p.skimValue(3)
		}
	}
}

// properties reads properties of a result, at depth 3, for the value of
// the idProperty.
func (p *batchParser) properties(r *resultSlot) {
	switch p.peek() {
	case '{':
		if !p.open(4) {
			return
		}
		for first := true; ; first = false {
			key, esc, ok := p.member(first)
			if !ok {
				return
			}
			if p.idProp.is(key, esc) {
				r.prop = p.flex(4)
			} else {
				p.skip(4)
			}
		}
	case 'n':
		if p.literal("null") {
			r.prop = span{}
		}
	default:
		p.skip(3)
	}
}

// errorItem reads one element of errors, at depth 2.
func (p *batchParser) errorItem(e *errorSlot) {
	if !p.open(3) {
		return
	}
	for first := true; ; first = false {
		key, esc, ok := p.member(first)
		if !ok {
			return
		}
		switch fieldIndex(key, esc, errorFields) {
		case 0:
			e.category = p.flex(3)
		case 1:
			e.message = p.flex(3)
		case 2:
			p.context(e)
		default:
			p.skip(3)
		}
	}
}

// context reads the context of an error, at depth 3.
func (p *batchParser) context(e *errorSlot) {
	switch p.peek() {
	case '{':
		if !p.open(4) {
			return
		}
		for first := true; ; first = false {
			key, esc, ok := p.member(first)
			if !ok {
				return
			}
			switch {
			case p.ids.is(key, esc):
				e.ids = p.flexList(4)
			case p.traces.is(key, esc):
				e.traces = p.flexList(4)
			default:
				p.skip(4)
			}
		}
	case 'n':
		if p.literal("null") {
			e.ids, e.traces = spanList{}, spanList{}
		}
	default:
		p.skip(3)
	}
}

// body turns the spans read into strings, all sharing one allocation.
func (p *batchParser) body() batchBody {
	arena := string(p.out)
	str := func(s span) string { return arena[s.from:s.to] }
	strs := func(l spanList) []string {
		if l.from == l.to {
			return nil
		}
		out := make([]string, 0, l.to-l.from)
		for _, s := range p.lists[l.from:l.to] {
			out = append(out, str(s))
		}
		return out
	}
	b := batchBody{status: str(p.status)}
	if p.nResults > 0 {
		b.results = make([]resultRef, p.nResults)
		for i, r := range p.results[:p.nResults] {
			b.results[i] = resultRef{id: str(r.id), trace: str(r.trace), prop: str(r.prop)}
		}
	}
	if p.nErrors > 0 {
		b.errors = make([]errorRef, p.nErrors)
		for i, e := range p.errors[:p.nErrors] {
			b.errors[i] = errorRef{category: str(e.category), message: str(e.message), ids: strs(e.ids), traces: strs(e.traces)}
		}
	}
	return b
}
