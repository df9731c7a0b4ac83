package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/gocarina/gocsv"
)

// sampleCommunication is one row of the demo's sample file, written with
// gocsv: the file's columns are fixed, so a row is a struct and gocsv turns
// its typed fields into cells (a time.Time through its MarshalText, which
// gives RFC 3339). Reading an input cannot work this way: its columns are
// only known at run time, and a resume needs each record's byte offset in
// the file (see package source).
type sampleCommunication struct {
	ID         string    `csv:"id"` // text: the bad rows leave it empty
	Channel    string    `csv:"hs_communication_channel_type"`
	LoggedFrom string    `csv:"hs_communication_logged_from"`
	Body       string    `csv:"hs_communication_body"`
	Timestamp  time.Time `csv:"hs_timestamp"`
	Owner      int       `csv:"hubspot_owner_id"`
	Count      int       `csv:"message_count"`
	Priority   bool      `csv:"is_priority"`
	Sentiment  string    `csv:"sentiment"`
	Topics     string    `csv:"topics"`
}

// sampleBad counts the deliberately bad rows of a sample file.
type sampleBad struct {
	notFound, badOption, missingID, malformed int
}

func (b sampleBad) total() int { return b.notFound + b.badOption + b.missingID + b.malformed }

// writeSample writes a realistic communications CSV of n rows for records
// 1..n, with a few deliberately bad rows: ids that do not exist, a value
// that is not an allowed option, rows without an id, and rows with the
// wrong number of cells.
func writeSample(w io.Writer, n int, seed uint64) (sampleBad, error) {
	rng := rand.New(rand.NewPCG(seed, 1))
	channels := []string{"WHATS_APP", "LINKEDIN_MESSAGE", "SMS"}
	sentiments := []string{"pos", "neu", "neg"}
	topics := []string{"BILLING", "SUPPORT", "SALES", "FEEDBACK"}
	bodies := []string{
		"Thanks, the invoice arrived.", "Can we move the call to Tuesday?",
		"Order shipped, tracking number sent by email.", "Please call me back, the app logs me out",
		"Great, see you at the demo!", "Is the discount still valid, for 12 seats?",
	}
	base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

	bw := bufio.NewWriter(w)
	var bad sampleBad
	const chunk = 1000
	rows := make([]sampleCommunication, 0, chunk)
	flush := func(header bool) error {
		var err error
		if header {
			err = gocsv.Marshal(rows, bw)
		} else {
			err = gocsv.MarshalWithoutHeaders(rows, bw)
		}
		rows = rows[:0]
		return err
	}
	// A few bad rows of each kind, spread over the file whatever its size.
	step := max(n/6, 10)
	first := true
	for i := 1; i <= n; i++ {
		r := sampleCommunication{
			ID:         strconv.Itoa(i),
			Channel:    channels[rng.IntN(len(channels))],
			LoggedFrom: "CRM",
			Body:       bodies[rng.IntN(len(bodies))],
			Timestamp:  base.Add(time.Duration(rng.IntN(30*24*60)) * time.Minute),
			Owner:      1001 + rng.IntN(3),
			Count:      1 + rng.IntN(40),
			Priority:   rng.IntN(5) == 0,
			Sentiment:  sentiments[rng.IntN(len(sentiments))],
			Topics:     topics[rng.IntN(len(topics))],
		}
		switch i % step {
		case 3:
			r.ID = strconv.Itoa(n + i) // no such record: HubSpot answers OBJECT_NOT_FOUND
			bad.notFound++
		case 5:
			r.Channel = "CARRIER_PIGEON" // not an option: HubSpot rejects the batch, hubsync isolates the row
			bad.badOption++
		case 7:
			r.ID = ""
			bad.missingID++
		}
		rows = append(rows, r)
		malformed := i%step == 9
		if len(rows) == chunk || i == n || malformed {
			if err := flush(first); err != nil {
				return bad, err
			}
			first = false
		}
		if malformed {
			fmt.Fprintf(bw, "%d,SMS,CRM,this row lost its other cells\n", i)
			bad.malformed++
		}
	}
	return bad, bw.Flush()
}
