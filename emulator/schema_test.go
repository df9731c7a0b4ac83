package emulator

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultSchema(t *testing.T) {
	t.Run("configs copy is byte-identical", func(t *testing.T) {
		shipped, err := os.ReadFile(filepath.Join("..", "configs", "emulator-schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(shipped, defaultSchemaJSON) {
			t.Fatal("configs/emulator-schema.json differs from emulator/default-schema.json: copy one onto the other")
		}
	})
	t.Run("loads strictly", func(t *testing.T) {
		if _, err := LoadSchema(bytes.NewReader(defaultSchemaJSON)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("defines what the tests rely on", func(t *testing.T) {
		cat, err := compileSchema(DefaultSchema())
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ key, id, seed, lastMod string }{
			{"communications", "0-18", "external_id", "hs_lastmodifieddate"},
			{"0-18", "0-18", "external_id", "hs_lastmodifieddate"},
			{"contacts", "0-1", "external_id", "lastmodifieddate"},
			{"0-1", "0-1", "external_id", "lastmodifieddate"},
			{"widgets", "2-1000001", "external_id", "hs_lastmodifieddate"},
			{"2-1000001", "2-1000001", "external_id", "hs_lastmodifieddate"},
		} {
			ot, ok := cat.lookup(tc.key)
			if !ok {
				t.Errorf("object type %q missing", tc.key)
				continue
			}
			if ot.id != tc.id || ot.seed == nil || ot.seed.name != tc.seed || ot.lastMod != tc.lastMod {
				t.Errorf("%s: id %s seed %v lastMod %s", tc.key, ot.id, ot.seed, ot.lastMod)
			}
		}
		comm, _ := cat.lookup("communications")
		kinds := map[string]propKind{
			"message_count": kindNumber, "is_priority": kindBool, "follow_up_date": kindDate,
			"last_reply_at": kindDatetime, "sentiment": kindEnum, "topics": kindEnum, "hs_timestamp": kindDatetime,
		}
		for name, k := range kinds {
			if p := comm.props[name]; p == nil || p.kind != k {
				t.Errorf("communications.%s: got %+v, want kind %d", name, p, k)
			}
		}
		if !comm.props["topics"].multi || comm.props["sentiment"].multi {
			t.Error("topics must be multi-checkbox, sentiment single select")
		}
		contacts, _ := cat.lookup("contacts")
		if contacts.props["email"].unique {
			t.Error("contacts.email must not be unique-valued (docs/hubspot-api.md §7)")
		}
	})
}

func TestLoadSchema(t *testing.T) {
	tests := []struct {
		file    string
		wantErr string // "" = loads
	}{
		{"minimal.json", ""},
		{"unknown-type.json", `unknown type "integer"`},
		{"enum-without-options.json", "enumeration without options"},
		{"duplicate-alias.json", `key "communications" used twice`},
		{"unknown-field.json", `unknown field "unique"`},
		{"unique-read-only.json", "hasUniqueValue needs a writable"},
		{"no-last-modified.json", "lastModifiedProperty"},
	}
	for _, tc := range tests {
		t.Run(strings.TrimSuffix(tc.file, ".json"), func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "schema", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, err = LoadSchema(f)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("LoadSchema: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("LoadSchema error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestCustomSchemaServes(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "schema", "minimal.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sch, err := LoadSchema(f)
	if err != nil {
		t.Fatal(err)
	}
	s, base := startServer(t, Config{Schema: sch, SeedIDs: 5, UniqueFormat: "G%03d", ResultOrder: InputOrder})
	r := postBatch(t, base, "gadgets", batchOf(
		`{"id":"G002","idProperty":"code","properties":{"size":"L"}}`,
		`{"id":"3","properties":{"size":"S"}}`))
	wantStatus(t, r, 200)
	if got := s.WriteCount("2-42", "2"); got != 1 {
		t.Errorf("WriteCount(2) = %d, want 1", got)
	}
	r = postBatch(t, base, "gadgets", batchOf(`{"id":"1","properties":{"size":"Large"}}`))
	wantStatus(t, r, 400)
	if e := decodeErr(t, r); !strings.Contains(e.Message, `Large was not one of the allowed options: [S, L]`) {
		t.Errorf("message %q: options must be listed in display order", e.Message)
	}
}
