package pipeline

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Stats counts what a run did. All methods and fields are safe for
// concurrent use, so a progress reporter can read them while Run runs.
type Stats struct {
	Read         atomic.Int64 // records read (parsed or not)
	Skipped      atomic.Int64 // records read that an earlier run already settled
	Offset       atomic.Int64 // byte offset in the input just past the last record read
	Applied      atomic.Int64 // records HubSpot confirmed
	DeadLettered atomic.Int64 // records written to the dead-letter file
	Requests     atomic.Int64 // batch/update requests sent, retries included
	RateLimited  atomic.Int64 // 429 answers
	Retries      atomic.Int64 // retries after transient failures
	Splits       atomic.Int64 // rejected batches split in two to isolate bad records

	mu     sync.Mutex
	byCode map[string]int64
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
