package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
)

func TestLooksLikeCheckpoint(t *testing.T) {
	tests := []struct {
		name, head string
		want       bool
	}{
		{"indented checkpoint", "{\n  \"version\": 1,\n  \"input\": {", true},
		{"compact checkpoint", `{"version":1}`, true},
		{"csv input", "id,hs_communication_body\n1,hi\n", false},
		{"jsonl input", `{"id":"1","version":"2"}`, false},
		{"other json", `{"a":1}`, false},
		{"cut short", `{"vers`, false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := looksLikeCheckpoint([]byte(tt.head)); got != tt.want {
				t.Errorf("looksLikeCheckpoint(%q) = %v, want %v", tt.head, got, tt.want)
			}
		})
	}
}

func TestLoadStatus(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "calls.csv.checkpoint.json")
	now := time.Now().UTC()
	if err := checkpoint.Save(good, &checkpoint.State{Version: checkpoint.Version, Input: checkpoint.Input{Path: "calls.csv", Size: 10},
		Watermark: checkpoint.Pos{Line: 1}, StartedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(dir, "damaged.checkpoint.json")
	if err := writeFile(damaged, `{"version": 1, "input": {"size": -1}}`); err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(dir, "calls.csv")
	if err := writeFile(input, "id,name\n1,a\n"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		wantErr    string // "" for none
		corrupt    bool   // a *checkpoint.CorruptError
	}{
		{"checkpoint", good, "", false},
		{"damaged checkpoint", damaged, "is damaged", true},
		{"input with its checkpoint", input, "is not a hubsync checkpoint; its sync's checkpoint is next to it: hubsync status " + good, false},
		{"missing", filepath.Join(dir, "none"), "no checkpoint at " + filepath.Join(dir, "none") + "; a sync keeps its checkpoint in INPUT.checkpoint.json", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := loadStatus(tt.path)
			if tt.wantErr == "" {
				if err != nil || st == nil {
					t.Fatalf("loadStatus = %v, %v", st, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			var corrupt *checkpoint.CorruptError
			if errors.As(err, &corrupt) != tt.corrupt {
				t.Errorf("error %v: a CorruptError is %v, want %v", err, !tt.corrupt, tt.corrupt)
			}
		})
	}
}
