// Command gen writes a synthetic communications input of N records with ten
// properties each, as CSV or JSON Lines, for hubsync's benchmarks. Record
// i updates record id i; every value is valid for the emulator's default
// schema. It streams, so any size fits in constant memory.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "records to write")
	format := flag.String("format", "csv", "csv or jsonl")
	changeEvery := flag.Int("change-every", 0, "give every Nth record another subject (0: none), as tomorrow's export of the same records")
	flag.Parse()
	if err := write(bufio.NewWriterSize(os.Stdout, 1<<20), *rows, *format, *changeEvery); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

var (
	channels   = []string{"WHATS_APP", "LINKEDIN_MESSAGE", "SMS"}
	owners     = []string{"1001", "1002", "1003"}
	sentiments = []string{"pos", "neu", "neg"}
	topics     = []string{"BILLING", "SUPPORT", "SALES", "FEEDBACK", "BILLING;SALES"}
	names      = []string{"hs_communication_body", "hs_communication_channel_type", "hs_communication_logged_from",
		"hs_timestamp", "hubspot_owner_id", "message_count", "is_priority", "follow_up_date", "sentiment", "topics"}
)

func write(w *bufio.Writer, rows int, format string, changeEvery int) error {
	if format != "csv" && format != "jsonl" {
		return fmt.Errorf("unknown format %q", format)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if format == "csv" {
		w.WriteString("id")
		for _, n := range names {
			w.WriteString("," + n)
		}
		w.WriteByte('\n')
	}
	vals := make([]string, len(names))
	for i := 1; i <= rows; i++ {
		vals[0] = "Message number " + strconv.Itoa(i) + " about the order"
		if changeEvery > 0 && i%changeEvery == 0 {
			vals[0] += " (edited)"
		}
		vals[1] = channels[i%3]
		vals[2] = "CRM"
		vals[3] = base.Add(time.Duration(i) * time.Second).Format("2006-01-02T15:04:05Z")
		vals[4] = owners[i%3]
		vals[5] = strconv.Itoa(i % 500)
		vals[6] = strconv.FormatBool(i%2 == 0)
		vals[7] = base.AddDate(0, 0, i%365).Format("2006-01-02")
		vals[8] = sentiments[i%3]
		vals[9] = topics[i%5]
		if format == "csv" {
			w.WriteString(strconv.Itoa(i))
			for _, v := range vals {
				w.WriteByte(',')
				w.WriteString(v)
			}
			w.WriteByte('\n')
			continue
		}
		w.WriteString(`{"id":"` + strconv.Itoa(i) + `"`)
		for k, v := range vals {
			w.WriteString(`,"` + names[k] + `":"` + v + `"`)
		}
		w.WriteString("}\n")
	}
	return w.Flush()
}
