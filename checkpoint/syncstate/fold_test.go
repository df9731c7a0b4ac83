package syncstate

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"
)

// synthetic is the i-th entry of a synthetic state, version v of its
// values: cheaper than NewEntry for millions of entries.
func synthetic(i uint64, v byte) Entry {
	e := Entry{Key: mix(i)}
	binary.BigEndian.PutUint64(e.FP[:], mix(i^0x5555))
	e.FP[15] = v
	return e
}

// mix is splitmix64: distinct inputs give distinct, well-spread keys.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// readState returns the entries of a state file.
func readState(t testing.TB, s *Store) []Entry {
	t.Helper()
	f, err := os.Open(s.statePath())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	var es []Entry
	for i := headerSize; i < len(b); i += entrySize {
		es = append(es, getEntry(b[i:]))
	}
	return es
}

// A fold in many runs gives what a map would: the last confirmation of
// each key, over the old state.
func TestFoldMatchesAMap(t *testing.T) {
	for _, runSize := range []int{1, 7, 100, 1 << 20} {
		dir := t.TempDir()
		model := map[uint64]Entry{}
		rng := rand.New(rand.NewPCG(1, uint64(runSize)))
		for round := range 3 {
			s := openStore(t, dir, calls, Options{})
			s.runSize = runSize
			for range 300 {
				e := synthetic(rng.Uint64N(200), byte(rng.IntN(3)))
				model[e.Key] = e
				if err := s.Confirm(e); err != nil {
					t.Fatal(err)
				}
			}
			sum, err := s.Finish()
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			want := slices.SortedFunc(func(yield func(Entry) bool) {
				for _, e := range model {
					yield(e)
				}
			}, func(a, b Entry) int { return cmpKey(a.Key, b.Key) })
			if got := readState(t, s); !slices.Equal(got, want) {
				t.Fatalf("run size %d, round %d: the state has %d entries, not the %d of the model", runSize, round, len(got), len(want))
			}
			if sum.Records != int64(len(want)) {
				t.Errorf("Records = %d, want %d", sum.Records, len(want))
			}
			if leftovers, _ := os.ReadDir(s.dir); len(leftovers) != 3 {
				t.Errorf("the folder holds %d files, want lock, state and target.json", len(leftovers))
			}
		}
	}
}

func cmpKey(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestScale sends 2M records through Confirm and Finish, then looks each
// up: unchanged ones must be unchanged, changed ones changed.
func TestScale(t *testing.T) {
	const n = 2_000_000
	if testing.Short() || raceEnabled {
		t.Skip("2M records: not in -short or -race runs")
	}
	dir := t.TempDir()
	s := openStore(t, dir, calls, Options{})
	start := time.Now()
	for i := range uint64(n) {
		if err := s.Confirm(synthetic(i, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	folded := time.Since(start)
	s = openStore(t, dir, calls, Options{})
	start = time.Now()
	for i := range uint64(n) {
		changed := i%100 == 0
		v := byte(0)
		if changed {
			v = 1
		}
		if got := s.Changed(synthetic(i, v)); got != changed {
			t.Fatalf("Changed(entry %d) = %v, want %v", i, got, changed)
		}
	}
	if got := s.Changed(synthetic(n, 0)); !got {
		t.Error("a key not in the state is unchanged")
	}
	t.Logf("2M records: confirm and fold %v, open and 2M lookups %v", folded, time.Since(start))
}

// TestFoldHeap folds a journal of 5M entries (120 MB) and samples the
// heap meanwhile: it stays near one run's buffer, whatever the size.
func TestFoldHeap(t *testing.T) {
	const n = 5_000_000
	if testing.Short() || raceEnabled {
		t.Skip("5M records: not in -short or -race runs")
	}
	s := openStore(t, t.TempDir(), calls, Options{})
	for i := range uint64(n) {
		if err := s.Confirm(synthetic(i, 0)); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var most uint64
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			most = max(most, m.HeapInuse)
			select {
			case <-done:
				peak <- most
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	sum, err := s.Finish()
	close(done)
	most := <-peak
	if err != nil || sum.Records != n {
		t.Fatalf("Finish: %+v, %v", sum, err)
	}
	t.Logf("fold of %d entries: heap in use at most %.1f MiB (%.1f MiB before)", n, float64(most)/(1<<20), float64(base.HeapInuse)/(1<<20))
	if most > 64<<20 {
		t.Errorf("heap in use reached %.1f MiB during the fold, want under 64 MiB", float64(most)/(1<<20))
	}
}

func BenchmarkLookup(b *testing.B) {
	const n = 1_000_000
	dir := b.TempDir()
	s := openStore(b, dir, calls, Options{})
	for i := range uint64(n) {
		s.Confirm(synthetic(i, 0))
	}
	s.Finish()
	s.Close()
	s = openStore(b, dir, calls, Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := range uint64(b.N) {
		s.Changed(synthetic(i%n, 0))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

func BenchmarkFold(b *testing.B) {
	const n = 1_000_000
	dir := b.TempDir()
	b.ReportAllocs()
	for round := range b.N {
		s := openStore(b, dir, calls, Options{})
		b.StopTimer()
		for i := range uint64(n) {
			s.Confirm(synthetic(i*uint64(round+1), byte(round)))
		}
		s.Sync()
		b.StartTimer()
		if _, err := s.Finish(); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "entries/s")
}
