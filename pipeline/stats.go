package pipeline

import (
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
)

// Stats counts what a run did, live. All methods and fields are safe for
// concurrent use, so a progress reporter can read them while Run runs;
// Snapshot turns them into plain values.
type Stats struct {
	Read         atomic.Int64 // records read (parsed or not)
	Skipped      atomic.Int64 // records read that an earlier run already settled
	Offset       atomic.Int64 // byte offset in the input just past the last record read
	Applied      atomic.Int64 // records HubSpot confirmed
	Unchanged    atomic.Int64 // records not sent: HubSpot already holds their values (Config.State); counted as their batch settles
	DeadLettered atomic.Int64 // records written to the dead-letter file
	Requests     atomic.Int64 // batch/update requests sent, retries included
	RateLimited  atomic.Int64 // 429 answers
	Retries      atomic.Int64 // retries after transient failures
	Splits       atomic.Int64 // rejected batches split in two to isolate bad records

	// Sending counts the requests on the wire now: a gauge, not a total.
	Sending atomic.Int64

	lim    *Limiter // set by New; nil in a Stats of no run
	mu     sync.Mutex
	byCode map[string]int64
}

// Snapshot returns what the run did so far as plain values, in the one
// counters type that the checkpoint, the report, the log summary and the
// progress display share. Its Read counts every record read, the Skipped
// ones (settled by an earlier run) included. Offset, Skipped and Sending
// belong to this run alone and stay here. The fields are read one after
// the other while the run goes on, so a snapshot taken mid-run is not of
// one instant: right for a display, and exact once Run has returned.
func (s *Stats) Snapshot() checkpoint.Counts {
	return checkpoint.Counts{
		Read:         s.Read.Load(),
		Applied:      s.Applied.Load(),
		Unchanged:    s.Unchanged.Load(),
		DeadLettered: s.DeadLettered.Load(),
		Requests:     s.Requests.Load(),
		RateLimited:  s.RateLimited.Load(),
		Retries:      s.Retries.Load(),
		Splits:       s.Splits.Load(),
		ByCode:       s.DeadByCode(),
	}
}

// Waiting says in words what holds the run's requests back now, or ""
// when nothing does: the rolling window is full ("waiting for the rate
// window: 100 requests in the last 10s"), naming HubSpot's limit when it
// is lower than the one configured, or a pause after a 429.
func (s *Stats) Waiting() string {
	if s.lim == nil {
		return ""
	}
	st := s.lim.Status()
	switch {
	case st.Paused > 0:
		return fmt.Sprintf("waiting %s more: HubSpot answered 429", st.Paused.Round(100*time.Millisecond))
	case !st.Waiting:
		return ""
	}
	msg := fmt.Sprintf("waiting for the rate window: %d requests in the last %s", st.InWindow, st.Window)
	if n, w := s.lim.Configured(); st.Limit < n {
		msg += fmt.Sprintf(" (HubSpot's limit of %d, lower than --rate %d/%s)", st.Limit, n, w)
	}
	return msg
}

func (s *Stats) dead(code string) {
	s.DeadLettered.Add(1)
	s.mu.Lock()
	if s.byCode == nil {
		s.byCode = make(map[string]int64)
	}
	s.byCode[code]++
	s.mu.Unlock()
}

// DeadByCode returns how many records were dead-lettered, by error code.
func (s *Stats) DeadByCode() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.byCode)
}
