package pipeline

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/checkpoint"
)

func TestStatsSnapshot(t *testing.T) {
	tests := []struct {
		name string
		fill func(s *Stats)
		want checkpoint.Counts
	}{{
		name: "nothing yet",
		fill: func(*Stats) {},
	}, {
		name: "every counter",
		fill: func(s *Stats) {
			s.Read.Store(11)
			s.Skipped.Store(2) // in Read, not a field of its own
			s.Offset.Store(999)
			s.Applied.Store(7)
			s.Unchanged.Store(4)
			s.Requests.Store(5)
			s.RateLimited.Store(6)
			s.Retries.Store(3)
			s.Splits.Store(8)
			s.Sending.Store(1)
			s.dead("INVALID_DATE")
			s.dead("INVALID_DATE")
			s.dead("OBJECT_NOT_FOUND")
		},
		want: checkpoint.Counts{Read: 11, Applied: 7, Unchanged: 4, DeadLettered: 3, Requests: 5, RateLimited: 6, Retries: 3, Splits: 8,
			ByCode: map[string]int64{"INVALID_DATE": 2, "OBJECT_NOT_FOUND": 1}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Stats
			tt.fill(&s)
			got := s.Snapshot()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Snapshot (-want +got):\n%s", diff)
			}
			// The snapshot is a copy: the run's later dead letters do not show in it.
			s.dead("LATER")
			if got.ByCode["LATER"] != 0 {
				t.Error("Snapshot's ByCode changed with the stats")
			}
		})
	}
}
