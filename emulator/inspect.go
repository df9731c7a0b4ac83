package emulator

import "maps"

// Record returns the stored values of a record that was written at least
// once: every property ever written to it and not since cleared. Seeded
// values and system properties are not included. objectType is an id, name
// or alias; id is a record id ("0123" is record 123). ok is false for an
// unknown object type or a record never written.
func (s *Server) Record(objectType, id string) (props map[string]string, ok bool) {
	ot, ok := s.cat.lookup(objectType)
	if !ok {
		return nil, false
	}
	n, ok := parseRecordID(id)
	if !ok {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.st.object(ot).records[n]
	if !ok {
		return nil, false
	}
	return r.snapshot(), true
}

// Records returns every written record of objectType keyed by internal id,
// each as Record would return it. It returns nil for an unknown object type.
func (s *Server) Records(objectType string) map[string]map[string]string {
	ot, ok := s.cat.lookup(objectType)
	if !ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.object(ot).snapshotAll()
}

// WriteCount returns how many applied batch inputs wrote the record: more
// than one means the client sent it again (a retry or a duplicate).
func (s *Server) WriteCount(objectType, id string) int {
	ot, ok := s.cat.lookup(objectType)
	if !ok {
		return 0
	}
	n, ok := parseRecordID(id)
	if !ok {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.st.object(ot).records[n]; ok {
		return r.writes
	}
	return 0
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByStatus = maps.Clone(s.stats.ByStatus)
	st.MaxInWindow = s.lim.maxInWindow
	return st
}

// UniqueValue returns the value a record's seeded unique-value property
// holds now (Config.UniqueFormat for a seeded record never changed), or ""
// when it has none. Tests use it to build idProperty inputs.
func (s *Server) UniqueValue(objectType, id string) string {
	ot, ok := s.cat.lookup(objectType)
	if !ok || ot.seed == nil {
		return ""
	}
	n, ok := parseRecordID(id)
	if !ok {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.current(ot, n, ot.seed.name)
}
