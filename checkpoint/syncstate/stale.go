package syncstate

import (
	"os"
	"path/filepath"
	"slices"
	"time"
)

// A target's state is stale when another target wrote some of the same
// properties of the same records after this one's last run began: a
// wrong --time-zone for one night is another target that rewrites every
// value, and the next night, back on the right settings, the old state
// would match the file and nothing would be sent, leaving HubSpot with
// the wrong values. A stale state is not trusted: the run sends every
// record, as --full-resync does, and says why (Store.Stale). Other
// targets are those of the same portal and object whose properties
// overlap, whatever their id property: an email and a record id can name
// the same records.
//
// "After" is judged by wall-clock times in target.json: LastStart (a
// writable Open, before anything is sent), LastEnd (Close) and LastRun
// (Finish). Another target that started and has not ended since is
// running or was killed: it may have written at any time, so it counts
// as after. The verdict is written into target.json (ResyncBecause) and
// kept until a run Finishes, so that a stale run that is killed and
// resumed stays a full resync. A stale run's Finish keeps only what the
// run itself intended and confirmed and drops the old entries: those of
// records not in its file, invalid in it, or settled before a resume may
// be stale still, so they are sent when they come next.

// overlaps says whether two targets may write one property: a target
// with no recorded properties (an older target.json, or a caller that
// did not say) may write any.
func overlaps(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return true
	}
	for _, p := range a {
		if slices.Contains(b, p) {
			return true
		}
	}
	return false
}

// lastActivity is when target m last wrote to HubSpot, as far as its
// target.json tells; running is true when it started and has not ended
// since.
func (m targetMeta) lastActivity() (last time.Time, running bool) {
	ended := m.LastEnd
	if m.LastRun.After(ended) {
		ended = m.LastRun
	}
	if m.LastStart.After(ended) {
		return m.LastStart, true
	}
	return ended, false
}

// staleBecause returns the first other target in the state dir (same
// portal and object) that may have written some of this target's
// properties at or after since, the start of this target's last run.
// It reads target.json files only; it takes no lock.
func (s *Store) staleBecause(since time.Time) (Info, bool) {
	entries, err := os.ReadDir(s.opts.Dir)
	if err != nil {
		return Info{}, false
	}
	for _, e := range entries {
		id := e.Name()
		if !e.IsDir() || id == s.id || isDeleting(id) {
			continue
		}
		dir := filepath.Join(s.opts.Dir, id)
		m, err := readMeta(filepath.Join(dir, "target.json"))
		if err != nil || m.Portal != s.target.Portal || m.Object != s.target.Object ||
			!overlaps(m.Properties, s.target.Properties) {
			continue
		}
		if last, running := m.lastActivity(); running || !last.Before(since) {
			return m.info(id, dir), true
		}
	}
	return Info{}, false
}

// checkStale decides, at Open, whether this run must send everything
// because the state is stale: a verdict an earlier run left, or another
// target's writes since this target's last run began. An empty state is
// never stale: every record is sent anyway.
func (s *Store) checkStale() {
	if s.gen.count+int64(len(s.pending)) == 0 {
		s.meta.ResyncBecause = ""
		return
	}
	if id := s.meta.ResyncBecause; id != "" {
		s.staleOther, s.stale = Info{ID: id, Dir: filepath.Join(s.opts.Dir, id)}, true
		if info, ok := readInfo(s.opts.Dir, id); ok {
			s.staleOther = info
		}
		return
	}
	if other, ok := s.staleBecause(s.meta.LastStart); ok {
		s.staleOther, s.stale = other, true
		s.meta.ResyncBecause = other.ID
	}
}

// Stale says whether this run sends every record because the state may
// be stale, and the other target that made it so: one that writes some
// of the same properties of the same records and ran after this target's
// last run began (or an earlier run of this one was stale and did not
// finish). The caller logs it; Changed already answers true.
func (s *Store) Stale() (other Info, stale bool) {
	return s.staleOther, s.stale
}
