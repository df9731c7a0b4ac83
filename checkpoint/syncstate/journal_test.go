package syncstate

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Callers that arrive while an fsync runs share the next one: however
// many, two fsyncs make them all durable.
func TestJournalGroupCommit(t *testing.T) {
	const waiting = 5
	j := newJournal(filepath.Join(t.TempDir(), "journal"), settingsHash(nil))
	started, release := make(chan struct{}, waiting+1), make(chan struct{})
	j.fsyncFile = func(f *os.File) error {
		started <- struct{}{}
		<-release
		return f.Sync()
	}
	var wg sync.WaitGroup
	intend := func(i uint64) {
		defer wg.Done()
		n, err := j.add(Entry{Key: i})
		if err == nil {
			err = j.sync(n)
		}
		if err != nil {
			t.Errorf("entry %d: %v", i, err)
		}
	}
	wg.Add(1)
	go intend(0)
	<-started // the first fsync runs
	wg.Add(waiting)
	for i := range uint64(waiting) {
		go intend(i + 1)
	}
	for added := int64(0); added < waiting+1; {
		j.mu.Lock()
		added = j.added
		j.mu.Unlock()
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	if j.syncs != 2 {
		t.Errorf("%d fsyncs for %d callers, %d of them arriving during the first: want 2", j.syncs, waiting+1, waiting)
	}
	if j.synced != waiting+1 {
		t.Errorf("%d entries durable, want %d", j.synced, waiting+1)
	}
}
