package pipeline

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestLimiterRollingWindow runs requests with random latency through the
// limiter and checks HubSpot's view: counted at a random moment between
// start and response, no window of length W ever holds more than N.
func TestLimiterRollingWindow(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		window  time.Duration
		workers int
		each    int
		latency time.Duration
	}{
		{"few slots many workers", 3, 100 * time.Millisecond, 8, 5, 20 * time.Millisecond},
		{"latency beyond window", 4, 30 * time.Millisecond, 6, 4, 50 * time.Millisecond},
		{"one slot", 1, 20 * time.Millisecond, 3, 5, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := NewLimiter(tt.n, tt.window)
			var mu sync.Mutex
			var arrivals []time.Time
			var wg sync.WaitGroup
			for w := range tt.workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 1))
					for range tt.each {
						release, err := lim.Acquire(context.Background())
						if err != nil {
							t.Error(err)
							return
						}
						lat := time.Duration(rng.Int64N(int64(tt.latency) + 1))
						arrive := time.Duration(rng.Int64N(int64(lat) + 1))
						start := time.Now()
						time.Sleep(lat)
						mu.Lock()
						arrivals = append(arrivals, start.Add(arrive))
						mu.Unlock()
						release()
					}
				}()
			}
			wg.Wait()
			slices.SortFunc(arrivals, func(a, b time.Time) int { return a.Compare(b) })
			if got, want := len(arrivals), tt.workers*tt.each; got != want {
				t.Fatalf("%d requests made, want %d", got, want)
			}
			for i := 0; i+tt.n < len(arrivals); i++ {
				if gap := arrivals[i+tt.n].Sub(arrivals[i]); gap < tt.window {
					t.Fatalf("requests %d and %d arrived %v apart: %d requests in a %v window, limit %d",
						i, i+tt.n, gap, tt.n+1, tt.window, tt.n)
				}
			}
		})
	}
}

func TestLimiterOffNeverWaits(t *testing.T) {
	lim := NewLimiter(0, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // an unlimited Acquire must not even look at ctx
	for range 1000 {
		release, err := lim.Acquire(ctx)
		if err != nil {
			t.Fatalf("Acquire: %v", err)
		}
		release()
	}
}

func TestLimiterPauseAndCancel(t *testing.T) {
	lim := NewLimiter(10, time.Second)
	lim.Pause(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := lim.Acquire(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Acquire during a pause = %v, want %v", err, context.DeadlineExceeded)
	}
}

func TestLimiterSetPaceClamped(t *testing.T) {
	lim := NewLimiter(20, time.Second)
	lim.SetPace(1000)
	if got := lim.Pace(); got != 20 {
		t.Errorf("pace after SetPace(1000) = %v, want the ceiling 20", got)
	}
	lim.SetPace(0)
	if got := lim.Pace(); got != 0.2 {
		t.Errorf("pace after SetPace(0) = %v, want the floor 0.2", got)
	}
}

func TestLimiterObserveHoldsSurplusSlots(t *testing.T) {
	lim := NewLimiter(5, time.Hour)
	lim.Observe(-1, 2, time.Hour) // HubSpot says 2 left; the limiter had 5
	for range 2 {
		release, err := lim.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer release()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := lim.Acquire(ctx); err != context.DeadlineExceeded {
		t.Fatalf("third Acquire = %v, want it to wait for the held slots", err)
	}
	// More left than free slots changes nothing.
	lim2 := NewLimiter(3, time.Hour)
	lim2.Observe(-1, 10, time.Hour)
	for range 3 {
		if _, err := lim2.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLimiterObserveAdoptsSmallerMax(t *testing.T) {
	lim := NewLimiter(20, time.Second)
	lim.Observe(10, -1, 2*time.Second) // another window: not comparable
	if n, _ := lim.Limit(); n != 20 {
		t.Errorf("limit %d after a max for another window, want 20", n)
	}
	lim.Observe(10, -1, time.Second)
	if n, _ := lim.Limit(); n != 10 {
		t.Errorf("limit %d after HubSpot said 10 per window, want 10", n)
	}
	lim.Observe(50, -1, time.Second)
	if n, _ := lim.Limit(); n != 10 {
		t.Errorf("limit %d after a larger max, want it to stay 10", n)
	}
	if got := lim.Pace(); got != 10 {
		t.Errorf("pace %v, want 10/s", got)
	}
}

// TestLimiterBoundsServerWaits: a window a server announces holds slots
// for at most maxWindow, a pause it asks for lasts at most
// maxRateLimitWait, and the pace never falls below a request per
// maxRateLimitWait.
func TestLimiterBoundsServerWaits(t *testing.T) {
	tests := []struct {
		name  string
		apply func(l *Limiter)
	}{
		{"window of 115 days", func(l *Limiter) { l.Observe(10, 0, 100000000000*time.Millisecond) }},
		{"pause of a week", func(l *Limiter) { l.Pause(7 * 24 * time.Hour) }},
	}
	t.Run("pace after endless 429s", func(t *testing.T) {
		l := NewLimiter(10, 10*time.Second)
		l.Observe(1, -1, 10*time.Second) // a server that says one request per window
		l.SetPace(0)
		if got, floor := l.Pace(), 1/maxRateLimitWait.Seconds(); got < floor {
			t.Errorf("pace %v requests/s: one request every %.0fs, want at least one every %v", got, 1/got, maxRateLimitWait)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLimiter(10, time.Second)
			tt.apply(l)
			now := time.Now()
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.pausedTo.After(now.Add(maxRateLimitWait)) {
				t.Errorf("paused until %v from now, want at most %v", time.Until(l.pausedTo).Round(time.Second), maxRateLimitWait)
			}
			for i, s := range l.slots {
				if s.freeAt.After(now.Add(maxWindow)) {
					t.Errorf("slot %d held for %v, want at most %v", i, time.Until(s.freeAt).Round(time.Second), maxWindow)
				}
			}
		})
	}
}
