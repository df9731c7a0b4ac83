// Command floor measures what moving a sync's bytes alone costs, as a
// baseline for bench/run.sh: it posts one batch/update body of 100 inputs
// shaped like bench/gen's records (encoded once, before timing) to a
// running emulator, over and over through net/http with hubsync's
// transport settings and 4 concurrent requests, reads every answer whole
// without parsing it, and prints its own CPU seconds per million records.
// What hubsync spends beyond this is reading, mapping, encoding, decoding
// and bookkeeping.
//
//	GOGC=400 hubsync emulator --addr 127.0.0.1:8080 --rate 0 --accept-all --seed-ids 100 --token local-token &
//	HUBSPOT_ACCESS_TOKEN=local-token go run ./bench/floor -url http://127.0.0.1:8080
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "emulator base URL")
	records := flag.Int("records", 1_000_000, "records to send, 100 per request")
	workers := flag.Int("workers", 4, "requests in flight")
	flag.Parse()
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1) // as bench/run.sh runs its syncs
	}
	if err := run(*url+"/crm/v3/objects/communications/batch/update", *records/100, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(endpoint string, requests, workers int) error {
	body, err := batchBody()
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, WriteBufferSize: 64 << 10, ReadBufferSize: 64 << 10}}
	auth := "Bearer " + os.Getenv("HUBSPOT_ACCESS_TOKEN")
	jobs := make(chan struct{})
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	before, start := cpu(), time.Now()
	for range workers {
		wg.Go(func() {
			buf := make([]byte, 0, 128<<10)
			for range jobs {
				req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, endpoint, bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				req.Header.Set("Authorization", auth)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				buf, err = readAll(buf[:0], resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d: %.200s", resp.StatusCode, buf)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range requests {
		select {
		case jobs <- struct{}{}:
		case err := <-errs:
			return err
		}
	}
	close(jobs)
	wg.Wait()
	elapsed, used := time.Since(start), cpu()-before
	n := float64(requests * 100)
	fmt.Printf("%d records in %d requests: %.0f records/s, %.2f CPU-s per 1M records\n",
		requests*100, requests, n/elapsed.Seconds(), used.Seconds()*1e6/n)
	return nil
}

// batchBody is one request as hubsync encodes it for 100 of bench/gen's
// records.
func batchBody() ([]byte, error) {
	type input struct {
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
		TraceID    string            `json:"objectWriteTraceId"`
	}
	inputs := make([]input, 100)
	for i := range inputs {
		id := strconv.Itoa(i + 1)
		inputs[i] = input{ID: id, TraceID: fmt.Sprintf("hs-floor-%06d", i+1), Properties: map[string]string{
			"hs_communication_body": "Message number " + id + " about the order", "hs_communication_channel_type": "LINKEDIN_MESSAGE",
			"hs_communication_logged_from": "CRM", "hs_timestamp": "2026-01-01T00:00:01.000Z", "hubspot_owner_id": "1002",
			"message_count": id, "is_priority": "false", "follow_up_date": "2026-01-02", "sentiment": "neu", "topics": "SUPPORT"}}
	}
	return json.Marshal(map[string]any{"inputs": inputs})
}

func readAll(dst []byte, r io.Reader) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// cpu is the user and system time this process has used.
func cpu() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
