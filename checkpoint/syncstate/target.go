package syncstate

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hubsync/hubsync/checkpoint"
)

// files names the files in one target's folder.
type files struct {
	id, dir  string
	settings [32]byte // SHA-256 of the target's settings
}

func (t *files) statePath() string   { return filepath.Join(t.dir, "state") }
func (t *files) journalPath() string { return filepath.Join(t.dir, "journal") }
func (t *files) lockPath() string    { return filepath.Join(t.dir, "lock") }
func (t *files) targetPath() string  { return filepath.Join(t.dir, "target.json") }

// wrap names the target in err, as a *DamagedError when the file at path
// is not as this package writes it.
func (t *files) wrap(path string, err error) error {
	var bad formatError
	if errors.As(err, &bad) {
		return &DamagedError{ID: t.id, Path: path, Err: err}
	}
	return fmt.Errorf("sync state %s: %w", t.id, err)
}

// targetID is the name of the target's folder:
// <portal>-<object>-<id property or "id">-<first 16 hex of the settings hash>.
// Each part is escaped (escapePart), so that '-' separates the parts only
// ("1-a", "b" is not "1", "a-b"), and the 64 bits of the settings hash
// make two settings share a folder with odds of 2^-64 a pair (and then
// target.json tells them apart: Open refuses rather than mixes them).
func targetID(t Target, settings [32]byte) string {
	idProp := t.IDProperty
	if idProp == "" {
		idProp = "id"
	}
	parts := []string{escapePart(t.Portal), escapePart(t.Object), escapePart(idProp), hex.EncodeToString(settings[:8])}
	return strings.Join(parts, "-")
}

// escapePart keeps letters, digits and '_', the usual HubSpot names, as
// they are, and writes every other byte as %XX: the '-' that separates
// the parts, the '.' of Reset's ".deleting-" folders, path separators.
// A custom object "2-123" becomes "2%2D123".
func escapePart(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// targetMeta is target.json: what the target is, written when its folder
// is made, and its generation and last run, written at each Finish. The
// record count is read from the state's header, the one place that is
// always in step with the entries.
type targetMeta struct {
	Portal     string            `json:"portal"`
	Object     string            `json:"object"`
	IDProperty string            `json:"id_property"`
	Settings   map[string]string `json:"settings"`
	SettingsID string            `json:"settings_sha256"`
	Properties []string          `json:"properties,omitempty"` // none: any (an older target.json)
	Generation int64             `json:"generation"`
	LastRun    time.Time         `json:"last_run,omitzero"`   // the last Finish
	LastStart  time.Time         `json:"last_start,omitzero"` // the last writable Open
	LastEnd    time.Time         `json:"last_end,omitzero"`   // the last Close of a writable store
	// ResyncBecause is the other target that made this state stale
	// (stale.go), kept until a run finishes.
	ResyncBecause string `json:"resync_because,omitempty"`
}

func newMeta(t Target, settings [32]byte) targetMeta {
	return targetMeta{Portal: t.Portal, Object: t.Object, IDProperty: t.IDProperty,
		Settings: maps.Clone(t.Settings), SettingsID: hex.EncodeToString(settings[:]), Properties: slices.Clone(t.Properties)}
}

// is says whether m is the meta of target t.
func (m targetMeta) is(t Target, settings [32]byte) bool {
	return m.Portal == t.Portal && m.Object == t.Object && m.IDProperty == t.IDProperty &&
		m.SettingsID == hex.EncodeToString(settings[:])
}

func (m targetMeta) info(id, dir string) Info {
	return Info{ID: id, Dir: dir, Portal: m.Portal, Object: m.Object, IDProperty: m.IDProperty,
		Settings: maps.Clone(m.Settings), Properties: slices.Clone(m.Properties), LastRun: m.LastRun, Generation: m.Generation}
}

func readMeta(path string) (targetMeta, error) {
	var m targetMeta
	b, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, formatError("not the JSON hubsync writes: " + err.Error())
	}
	if _, err := hex.DecodeString(m.SettingsID); err != nil || len(m.SettingsID) != 64 {
		return m, formatError("no settings_sha256")
	}
	return m, nil
}

func (s *Store) writeMeta() error {
	b, err := json.MarshalIndent(s.meta, "", "  ")
	if err != nil {
		return err
	}
	if err := checkpoint.WriteFile(s.targetPath(), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("sync state %s: %w", s.id, err)
	}
	return nil
}

// removeTemps removes what a killed run left in dir: a generation or a
// target.json being written, the sorted runs of a fold. Only the holder
// of the lock calls it.
func removeTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if strings.Contains(name, ".tmp-") || strings.HasPrefix(name, "fold-run-") {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}
