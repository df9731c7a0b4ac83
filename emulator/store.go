package emulator

import "strconv"

// record is a record that has been written at least once. Records 1..SeedIDs
// that were never written have no record value at all.
type record struct {
	props  map[string]string // written values; "" marks a cleared property
	writes int
}

// objectStore holds the written records of one object type and the index of
// written unique values. It is not safe for concurrent use; Server guards it.
type objectStore struct {
	records map[int64]*record
	unique  map[string]map[string]int64 // property → written value → record id
}

func newObjectStore() *objectStore {
	return &objectStore{records: make(map[int64]*record), unique: make(map[string]map[string]int64)}
}

// store is every object type's records plus what seeded records look like.
type store struct {
	seedIDs int64
	seedFmt uniqueFormat
	objects map[*objType]*objectStore
}

func (st *store) object(ot *objType) *objectStore {
	obj, ok := st.objects[ot]
	if !ok {
		obj = newObjectStore()
		st.objects[ot] = obj
	}
	return obj
}

// exists reports whether record id exists: seeded, or written. The emulator
// has no create endpoint, so every record is a seeded one.
func (st *store) exists(ot *objType, id int64) bool {
	if id >= 1 && id <= st.seedIDs {
		return true
	}
	_, ok := st.object(ot).records[id]
	return ok
}

// byUnique finds the record whose unique property p has value v: first among
// written values, then among seeded ones (record n holds UniqueFormat(n)
// until its value is written).
func (st *store) byUnique(ot *objType, p *prop, v string) (int64, bool) {
	obj := st.object(ot)
	if id, ok := obj.unique[p.name][v]; ok {
		return id, true
	}
	if p != ot.seed {
		return 0, false
	}
	n, ok := st.seedFmt.record(v)
	if !ok || n < 1 || n > st.seedIDs {
		return 0, false
	}
	if r, ok := obj.records[n]; ok {
		if _, written := r.props[p.name]; written {
			return 0, false // value replaced or cleared since seeding
		}
	}
	return n, true
}

// current is the stored value of property name of record id, seeded value
// included.
func (st *store) current(ot *objType, id int64, name string) string {
	if r, ok := st.object(ot).records[id]; ok {
		if v, written := r.props[name]; written {
			return v
		}
	}
	if ot.seed != nil && ot.seed.name == name && id >= 1 && id <= st.seedIDs {
		return st.seedFmt.value(id)
	}
	return ""
}

// write stores the values of one input into record id, keeping the unique
// index in step.
// values must already be validated, with checkbox appends resolved.
func (st *store) write(ot *objType, id int64, values []propValue) {
	obj := st.object(ot)
	r, ok := obj.records[id]
	if !ok {
		r = &record{props: make(map[string]string, len(values))}
		obj.records[id] = r
	}
	for _, pv := range values {
		if p := ot.props[pv.name]; p.unique {
			st.reindex(ot, obj, p, id, pv.value)
		}
		r.props[pv.name] = pv.value
	}
	r.writes++
}

func (st *store) reindex(ot *objType, obj *objectStore, p *prop, id int64, v string) {
	idx := obj.unique[p.name]
	if idx == nil {
		idx = make(map[string]int64)
		obj.unique[p.name] = idx
	}
	if old := st.current(ot, id, p.name); old != "" && idx[old] == id {
		delete(idx, old)
	}
	if v != "" {
		idx[v] = id
	}
}

// snapshot copies the visible values of r: cleared properties are absent.
func (r *record) snapshot() map[string]string {
	out := make(map[string]string, len(r.props))
	for k, v := range r.props {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// snapshotAll copies every written record, keyed by internal id.
func (obj *objectStore) snapshotAll() map[string]map[string]string {
	out := make(map[string]map[string]string, len(obj.records))
	for id, r := range obj.records {
		out[strconv.FormatInt(id, 10)] = r.snapshot()
	}
	return out
}
