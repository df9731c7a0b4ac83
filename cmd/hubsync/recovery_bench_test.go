package main

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hubsync/hubsync/emulator"
	"github.com/hubsync/hubsync/sink"
	"github.com/hubsync/hubsync/source"
)

// recoveryScenario starts an emulator limited to 100 requests per rolling
// 10 s, like HubSpot's Free tier, and has another app spend the whole
// window over the first 5 s. A sync that starts then is answered 429 until
// the other app's requests age out, from t=10s on, one every 50 ms.
func recoveryScenario(b *testing.B) (*emulator.Server, string) {
	srv, url := startEmulatorTB(b, emulator.Config{Token: testToken, SeedIDs: 100000, Rate: 100, Window: 10 * time.Second})
	neighbor, err := sink.New(sink.Config{BaseURL: url, Token: testToken, ObjectType: "communications"})
	if err != nil {
		b.Fatal(err)
	}
	in := []sink.Input{{ID: "99999", Props: []source.Prop{{Name: "hs_communication_body", Value: "other app"}}}}
	for range 100 {
		if _, err := neighbor.UpdateBatch(context.Background(), in); err != nil {
			b.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return srv, url
}

// BenchmarkRecovery429 compares how long 3,000 records (30 requests) take
// to sync into a window another app has just filled: hubsync against the
// official Node SDK's 429 strategy (wait 10 s × attempt, RetryDecorator;
// Bottleneck limiter with minTime 1000/9 ms and 6 concurrent, the SDK's
// DEFAULT_LIMITER_OPTIONS), reproduced here on the same client.
func BenchmarkRecovery429(b *testing.B) {
	const rows = 3000
	b.Run("hubsync", func(b *testing.B) {
		for b.Loop() {
			srv, url := recoveryScenario(b)
			ds := generate(b, b.TempDir(), "calls.csv", genOptions{rows: rows, seedIDs: rows, unique: true, seed: 3})
			res := runHubsync(b, "sync", "--base-url", url, "--object", "communications", "--rate", "100/10s", "--log-format", "json", ds.path)
			if res.code != exitOK {
				b.Fatalf("exit %d\n%s", res.code, tail(res.stderr))
			}
			st := srv.Stats()
			// The preflight GET is not a batch request: the requests
			// beyond the batches and the one GET that succeeded were 429s.
			b.ReportMetric(res.elapsed.Seconds(), "s-to-sync")
			b.ReportMetric(float64(st.ByStatus[429]+st.Requests-st.BatchRequests-1), "429s")
		}
	})
	b.Run("node-sdk-strategy", func(b *testing.B) {
		for b.Loop() {
			srv, url := recoveryScenario(b)
			client, err := sink.New(sink.Config{BaseURL: url, Token: testToken, ObjectType: "communications"})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			var wg sync.WaitGroup
			sem := make(chan struct{}, 6)           // maxConcurrent: 6
			tick := time.NewTicker(time.Second / 9) // minTime: 1000/9 ms
			for batch := range rows / 100 {
				<-tick.C
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					in := make([]sink.Input, 100)
					for i := range in {
						in[i] = sink.Input{ID: strconv.Itoa(batch*100 + i + 1), Props: []source.Prop{{Name: "hs_communication_body", Value: "x"}}}
					}
					for attempt := 1; ; attempt++ {
						_, err := client.UpdateBatch(context.Background(), in)
						var api *sink.APIError
						if err == nil || !errors.As(err, &api) || api.StatusCode != 429 || api.PolicyName != "TEN_SECONDLY_ROLLING" {
							return
						}
						time.Sleep(time.Duration(attempt) * 10 * time.Second)
					}
				}()
			}
			wg.Wait()
			tick.Stop()
			b.ReportMetric(time.Since(start).Seconds(), "s-to-sync")
			b.ReportMetric(float64(srv.Stats().ByStatus[429]), "429s")
		}
	})
}
