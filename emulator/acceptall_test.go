package emulator

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestAcceptAll answers 200 for what the strict server would refuse, echoes
// each input, and stores nothing.
func TestAcceptAll(t *testing.T) {
	s, base := startServer(t, Config{AcceptAll: true, SeedIDs: 1})
	body := batchOf(
		`{"id":"999999","properties":{"no_such_property":"x"},"objectWriteTraceId":"t1"}`,
		`{"id":"1","properties":{"message_count":"not a number"},"objectWriteTraceId":"t2"}`,
	)
	r := postBatch(t, base, "communications", body)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var got struct {
		Status  string `json:"status"`
		Results []struct {
			ID         string            `json:"id"`
			Trace      string            `json:"objectWriteTraceId"`
			Properties map[string]string `json:"properties"`
		} `json:"results"`
	}
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	echo := map[string]string{}
	for _, res := range got.Results {
		echo[res.Trace] = res.ID
	}
	if got.Status != "COMPLETE" || echo["t1"] != "999999" || echo["t2"] != "1" {
		t.Errorf("answer %s", r.body)
	}
	if n := len(s.Records("communications")); n != 0 {
		t.Errorf("%d records stored, want none", n)
	}
	if st := s.Stats(); st.RecordsApplied != 2 {
		t.Errorf("RecordsApplied = %d, want 2", st.RecordsApplied)
	}
	// Malformed bodies are still refused.
	if r := postBatch(t, base, "communications", `{"inputs":[`); r.status != http.StatusBadRequest {
		t.Errorf("malformed body: status %d, want 400", r.status)
	}
}
