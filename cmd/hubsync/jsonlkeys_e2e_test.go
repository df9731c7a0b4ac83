package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubsync/hubsync/emulator"
)

// TestJSONLKeysCheckedBeforeSending runs a JSON Lines export in which a
// key was renamed: like a CSV with such a column, it must be refused with
// status 2 before any batch is sent, naming the key and the property it
// is closest to; mapped, dropped or ignored keys pass.
func TestJSONLKeysCheckedBeforeSending(t *testing.T) {
	srv, url := startEmulator(t, emulator.Config{SeedIDs: 2000})
	tests := []struct {
		name string
		line func(i int) string
		args []string
		want int
		say  []string
	}{
		{name: "renamed key in every record", want: exitUsage,
			line: func(i int) string {
				return fmt.Sprintf(`{"id":"%d","hs_communication_bodyy":"hi","message_count":%d}`, i, i)
			},
			say: []string{`key "hs_communication_bodyy" (in 100 of the first 100 records)`, `did you mean "hs_communication_body"?`, "nothing was sent"}},
		{name: "renamed key in a few records", want: exitUsage,
			line: func(i int) string {
				if i%40 == 0 {
					return fmt.Sprintf(`{"id":"%d","Message Count":%d}`, i, i)
				}
				return fmt.Sprintf(`{"id":"%d","message_count":%d}`, i, i)
			},
			say: []string{`key "Message Count" (in 2 of the first 100 records)`, `did you mean "message_count"?`}},
		{name: "dry run too", args: []string{"--dry-run"}, want: exitUsage,
			line: func(i int) string { return fmt.Sprintf(`{"id":"%d","hs_communication_bodyy":"hi"}`, i) },
			say:  []string{`key "hs_communication_bodyy"`}},
		{name: "key mapped", args: []string{"--map", "hs_communication_bodyy=hs_communication_body"}, want: exitOK,
			line: func(i int) string { return fmt.Sprintf(`{"id":"%d","hs_communication_bodyy":"hi"}`, i) }},
		{name: "key dropped", args: []string{"--drop", "extra"}, want: exitOK,
			line: func(i int) string { return fmt.Sprintf(`{"id":"%d","extra":1,"message_count":%d}`, i, i) }},
		{name: "keys that are properties", want: exitOK,
			line: func(i int) string { return fmt.Sprintf(`{"id":"%d","message_count":%d}`, i, i) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			for i := 1; i <= 2000; i++ {
				b.WriteString(tc.line(i) + "\n")
			}
			input := filepath.Join(t.TempDir(), "calls.jsonl")
			if err := writeFile(input, b.String()); err != nil {
				t.Fatal(err)
			}
			before := srv.Stats().BatchRequests
			args := append([]string{"sync", "--base-url", url, "--object", "communications", "--rate", "0", "--log-format", "json"}, tc.args...)
			res := runHubsync(t, append(args, input)...)
			if res.code != tc.want {
				t.Fatalf("exit status %d, want %d; stderr:\n%s", res.code, tc.want, tail(res.stderr))
			}
			for _, w := range tc.say {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, tail(res.stderr))
				}
			}
			if n := srv.Stats().BatchRequests - before; tc.want == exitUsage && n != 0 {
				t.Errorf("%d batch requests sent, want none", n)
			}
		})
	}
}
