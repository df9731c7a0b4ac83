package source

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCSVGuessIDColumn checks which column holds the id when Options.IDColumn
// is empty: "id", else HubSpot's export header "Record ID" or hs_object_id
// when only one of them is there; an explicit IDColumn is never second-guessed.
func TestCSVGuessIDColumn(t *testing.T) {
	tests := []struct {
		file    string
		idCol   string // Options.IDColumn
		want    string // IDColumn() after NewCSV; "" when NewCSV must fail
		wantIDs []string
	}{
		{"record_id", "", "Record ID", []string{"101", "102"}},
		{"hs_object_id", "", "hs_object_id", []string{"7"}},
		{"id_and_record_id", "", "id", []string{"8"}},
		{"both_ids", "", "", nil},
		{"record_id", "id", "", nil},
		{"record_id", "Record ID", "Record ID", []string{"101", "102"}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.idCol, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "hubspot", tt.file+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewCSV(bytes.NewReader(data), Options{IDColumn: tt.idCol})
			if tt.want == "" {
				if !errors.Is(err, ErrNoIDColumn) {
					t.Fatalf("NewCSV: err = %v, want ErrNoIDColumn", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewCSV: %v", err)
			}
			if got := r.IDColumn(); got != tt.want {
				t.Errorf("IDColumn() = %q, want %q", got, tt.want)
			}
			if diff := cmp.Diff(tt.wantIDs, readIDs(t, r)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSVBothIDColumnsMessage(t *testing.T) {
	_, err := NewCSV(bytes.NewReader([]byte("Record ID,hs_object_id\n1,1\n")), Options{})
	want := `csv header: no id column: no column named "id", and both "Record ID" and "hs_object_id" could hold the record id: pass --id-column with the one to use`
	if err == nil || err.Error() != want {
		t.Errorf("NewCSV: err = %v\nwant %s", err, want)
	}
}

func TestJSONLGuessIDKey(t *testing.T) {
	tests := []struct {
		file    string
		idCol   string
		want    string
		wantIDs []string
	}{
		{"hs_object_id", "", "hs_object_id", []string{"7", "8"}},
		{"id_and_hs_object_id", "", "id", []string{"7"}},
		{"hs_object_id", "id", "id", []string{"", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.idCol, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "hubspot", tt.file+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewJSONL(bytes.NewReader(data), Options{IDColumn: tt.idCol})
			if err != nil {
				t.Fatalf("NewJSONL: %v", err)
			}
			if got := r.IDColumn(); got != tt.want {
				t.Errorf("IDColumn() = %q, want %q", got, tt.want)
			}
			if diff := cmp.Diff(tt.wantIDs, readIDs(t, r)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

// readIDs reads r to the end and returns the ids of its records.
func readIDs(t *testing.T, r interface{ Next() (Record, error) }) []string {
	t.Helper()
	var ids []string
	for {
		rec, err := r.Next()
		if err != nil {
			return ids
		}
		ids = append(ids, rec.ID)
	}
}
