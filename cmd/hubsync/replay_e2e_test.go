package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubsync/hubsync/emulator"
)

// TestReplayDeadLetters feeds a dead-letter file back to hubsync, as a user
// does after fixing the cause: records that failed because their ids did
// not exist are applied once they do; the others fail again, each once.
func TestReplayDeadLetters(t *testing.T) {
	for _, name := range []string{"calls.csv", "calls.jsonl"} {
		t.Run(name, func(t *testing.T) {
			_, url := startEmulator(t, emulator.Config{SeedIDs: 3000})
			ds := generate(t, t.TempDir(), name, genOptions{rows: 3000, seedIDs: 3000, distinct: 2000, badEvery: 30, seed: 13, multiline: true})
			args := []string{"sync", "--object", "communications", "--rate", "0", "--log-format", "json"}
			if res := runHubsync(t, append(args, "--base-url", url, ds.path)...); res.code != exitDeadLetters {
				t.Fatalf("first run: %d\n%s", res.code, tail(res.stderr))
			}
			ext := name[strings.LastIndex(name, "."):]
			dl := strings.TrimSuffix(ds.path, ext) + ".dead-letter" + ext
			byCode := map[string]int{}
			for _, code := range readDeadLetters(t, dl) {
				byCode[code]++
			}

			// The "fix": the missing records now exist.
			srv2, url2 := startEmulator(t, emulator.Config{SeedIDs: 10000})
			res := runHubsync(t, append(args, "--base-url", url2, dl)...)
			if res.code != exitDeadLetters {
				t.Fatalf("replay: %d\n%s", res.code, tail(res.stderr))
			}
			if got := srv2.Stats().RecordsApplied; got != byCode["OBJECT_NOT_FOUND"] {
				t.Errorf("replay applied %d records, want the %d that were not found", got, byCode["OBJECT_NOT_FOUND"])
			}
			// Unfixed rows fail again, each once: rows without an id as
			// before; a CSV row with the wrong number of cells keeps only
			// its id (its text is in the message), so it sets nothing; a
			// line that was not JSON keeps its text under _error, so it has
			// no id.
			again := map[string]int{}
			for _, code := range readDeadLetters(t, strings.TrimSuffix(dl, ext)+".dead-letter"+ext) {
				again[code]++
			}
			want := map[string]int{"MISSING_ID": byCode["MISSING_ID"] + byCode["INVALID_JSON"], "NO_PROPERTIES": byCode["MALFORMED_ROW"]}
			if want["NO_PROPERTIES"] == 0 {
				delete(want, "NO_PROPERTIES")
			}
			if diff := cmp.Diff(want, again); diff != "" {
				t.Errorf("replay dead letters by code (-want +got):\n%s", diff)
			}
		})
	}
}
