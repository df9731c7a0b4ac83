package sink

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// endlessHandler answers status and then a body that never ends: a JSON
// prefix, then chunk over and over. It sends the number of bytes it
// managed to write on written once the client stops reading.
func endlessHandler(t *testing.T, status int, prefix, chunk string, written chan<- int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(status)
		n, _ := io.WriteString(w, prefix)
		total := int64(n)
		block := strings.Repeat(chunk, (64<<10)/len(chunk))
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && r.Context().Err() == nil {
			n, err := io.WriteString(w, block)
			total += int64(n)
			if err != nil {
				break
			}
		}
		written <- total
	}
}

// TestEndlessBody: a server that never stops sending is read no further
// than a batch's answer can need. An endless 200 or 207 is an unreadable
// answer, to be retried, never a crash or records applied; an endless
// error body still yields an *APIError.
func TestEndlessBody(t *testing.T) {
	const result = `{"id":"1001","properties":{"hs_communication_body":"x"}},`
	tests := []struct {
		name   string
		status int
		prefix string
		chunk  string
		want   Class
	}{
		{"200 results", 200, `{"status":"COMPLETE","results":[`, result, ClassRetry},
		{"207 errors", 207, `{"status":"COMPLETE","errors":[`, `{"category":"OBJECT_NOT_FOUND","message":"m","context":{"ids":["1002"]}},`, ClassRetry},
		{"200 one endless string", 200, `{"status":"COMPLETE","results":[{"id":"`, "1", ClassRetry},
		{"500 error body", 500, `{"message":"`, "oops ", ClassRetry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			written := make(chan int64, 1)
			c := newTestClient(t, Config{}, endlessHandler(t, tt.status, tt.prefix, tt.chunk, written))
			inputs := inputsFor("1001", "1002")
			res, err := c.UpdateBatch(context.Background(), inputs)
			if err == nil {
				t.Fatalf("UpdateBatch = %+v, want an error", res)
			}
			if got := Classify(err); got != tt.want {
				t.Errorf("Classify(%v) = %v, want %v", err, got, tt.want)
			}
			if tt.status < 300 && !errors.Is(err, ErrUnreadableResponse) {
				t.Errorf("error %v is not ErrUnreadableResponse", err)
			}
			if tt.status >= 300 {
				if _, ok := errors.AsType[*APIError](err); !ok {
					t.Errorf("error %v is not an *APIError", err)
				}
			}
			// What the server managed to write is what the client read,
			// what it drained and what the sockets buffer: far less than
			// the 32 MiB read before.
			if n := <-written; n > 12<<20 {
				t.Errorf("server wrote %d MiB before the client stopped reading, want at most 12", n>>20)
			}
		})
	}
}

// TestEndlessProperties: the properties listing is read up to its own,
// larger, cap and no further.
func TestEndlessProperties(t *testing.T) {
	written := make(chan int64, 1)
	c := newTestClient(t, Config{}, endlessHandler(t, 200, `{"results":[`,
		`{"name":"p","label":"P","type":"string","fieldType":"text"},`, written))
	_, err := c.Properties(context.Background())
	if !errors.Is(err, ErrUnreadableResponse) || Classify(err) != ClassRetry {
		t.Errorf("Properties: %v (class %v), want an unreadable answer to retry", err, Classify(err))
	}
	if n := <-written; n > maxPropertiesBody+(12<<20) {
		t.Errorf("server wrote %d MiB, want at most %d", n>>20, (maxPropertiesBody+(12<<20))>>20)
	}
}

func TestResponseLimit(t *testing.T) {
	small := responseLimit(len(`{"inputs":[]}`)+100*200, 100)
	if small > 4<<20 {
		t.Errorf("limit for 100 small records = %d MiB, want at most 4", small>>20)
	}
	if big := responseLimit(100<<20, 100); big < 6*(100<<20) {
		t.Errorf("limit for a 100 MiB batch = %d MiB, want room for its echo escaped", big>>20)
	}
}
