// Package checkpoint persists how far a sync has got, so that a rerun
// carries on where the last run stopped.
//
// The state file is small JSON, written atomically (temp file, fsync,
// rename, fsync of the directory) so that a crash at any instant leaves
// either the old state or the new one. It binds to the input file and to
// the settings that shape the requests; Check refuses to resume a different
// file or different settings. The package does no logging and starts no
// goroutines.
package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"time"
)

// Version is the state file format written by this package.
const Version = 1

// headBytes is how much of the input's head is hashed into its fingerprint.
const headBytes = 64 << 10

// ErrNotFound is returned by Load when there is no state file.
var ErrNotFound = errors.New("no checkpoint")

// CorruptError says a state file exists but cannot be used.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("checkpoint %s is damaged (%v): move it away and rerun with --restart to start over", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Pos is a place in the input: a byte offset and the line number there.
type Pos struct {
	Offset int64 `json:"offset"`
	Line   int64 `json:"line"`
}

// Span is a settled run of the input beyond the watermark, [Start, End).
type Span struct {
	Start int64 `json:"start"`
	End   Pos   `json:"end"`
}

// Input identifies an input file.
type Input struct {
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time"`
	Head    string    `json:"head_sha256"` // hash of the first 64 KiB
}

// Counts are what a sync did, as plain values: the totals of a job over
// all its runs in its checkpoint, and of one run in its report, log
// summary and progress display (see pipeline.Stats.Snapshot). Its JSON
// names are those of the checkpoint file: do not change them, or older
// checkpoints no longer load.
type Counts struct {
	Read         int64            `json:"read"`
	Applied      int64            `json:"applied"`
	Unchanged    int64            `json:"unchanged,omitempty"` // not sent (--only-changed): HubSpot holds these values; omitted when 0, as before it existed
	DeadLettered int64            `json:"dead_lettered"`
	Requests     int64            `json:"requests"`
	RateLimited  int64            `json:"rate_limited"`
	Retries      int64            `json:"retries"`
	Splits       int64            `json:"split_requests"`
	ByCode       map[string]int64 `json:"dead_by_code,omitempty"` // dead letters by error code
}

// Add returns c plus d, field by field, with the codes of d.ByCode merged
// into those of c.ByCode. Neither map is changed: the result's is a new
// map when d has codes, and c's otherwise.
func (c Counts) Add(d Counts) Counts {
	c.Read += d.Read
	c.Applied += d.Applied
	c.Unchanged += d.Unchanged
	c.DeadLettered += d.DeadLettered
	c.Requests += d.Requests
	c.RateLimited += d.RateLimited
	c.Retries += d.Retries
	c.Splits += d.Splits
	if len(d.ByCode) > 0 {
		merged := maps.Clone(c.ByCode)
		if merged == nil {
			merged = make(map[string]int64, len(d.ByCode))
		}
		for code, n := range d.ByCode {
			merged[code] += n
		}
		c.ByCode = merged
	}
	return c
}

// State is the content of a checkpoint file.
type State struct {
	Version  int               `json:"version"`
	Input    Input             `json:"input"`
	Settings map[string]string `json:"settings"` // what shapes the requests: object, id column, …
	// Watermark is the position up to which every record is settled:
	// applied in HubSpot or durably in the dead-letter file.
	Watermark Pos `json:"watermark"`
	// Settled lists runs beyond the watermark that are settled too, in
	// file order.
	Settled        []Span `json:"settled,omitempty"`
	DeadLetterPath string `json:"dead_letter_path"`
	DeadLetterSize int64  `json:"dead_letter_size"` // bytes of it that the state accounts for
	// DeadLetterFile identifies the file at DeadLetterPath that the job
	// writes, so that a resume can tell it from a file put at that path
	// since (by another job that shares it, say), whose entries past
	// DeadLetterSize are not the job's. Nil in checkpoints written before
	// it existed and where the system gives files no identity.
	DeadLetterFile *FileID `json:"dead_letter_file,omitempty"`
	// DeadLines lists source lines beyond the watermark whose records a
	// run found in the dead-letter file past DeadLetterSize when it
	// resumed: settled, counted, and not to be written again.
	DeadLines []int64   `json:"dead_lines,omitempty"`
	Counts    Counts    `json:"counts"`
	Complete  bool      `json:"complete"`
	Command   []string  `json:"command,omitempty"` // how to resume, for 'hubsync status'
	StartedAt time.Time `json:"started_at"`
	UpdatedAt time.Time `json:"updated_at"` // when the watermark last advanced or the run ended
}

// Fingerprint identifies the open file f, named path.
func Fingerprint(f *os.File, path string) (Input, error) {
	st, err := f.Stat()
	if err != nil {
		return Input{}, fmt.Errorf("fingerprint input: %w", err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, headBytes)); err != nil {
		return Input{}, fmt.Errorf("fingerprint input: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return Input{Path: abs, Size: st.Size(), ModTime: st.ModTime().UTC(), Head: hex.EncodeToString(h.Sum(nil))}, nil
}

// Check reports why s cannot resume a job on input in with settings, or nil.
func (s *State) Check(in Input, settings map[string]string) error {
	if err := s.CheckInput(in); err != nil {
		return err
	}
	return s.CheckSettings(settings)
}

// CheckInput reports why in is not the input s was written for, or nil.
// The error wraps ErrInputChanged.
func (s *State) CheckInput(in Input) error {
	err := s.inputChange(in)
	if err != nil {
		return fmt.Errorf("%w (%v)", ErrInputChanged, err)
	}
	return nil
}

// ErrInputChanged means the input is not the file a checkpoint was written
// for: another export at the same path, or the same one changed since.
var ErrInputChanged = errors.New("the input has changed since the checkpoint was written")

func (s *State) inputChange(in Input) error {
	switch {
	case s.Input.Size != in.Size:
		return fmt.Errorf("size %d, was %d", in.Size, s.Input.Size)
	case !s.Input.ModTime.Equal(in.ModTime):
		return fmt.Errorf("modified %s, was %s", in.ModTime.Format(time.RFC3339), s.Input.ModTime.Format(time.RFC3339))
	case s.Input.Head != in.Head:
		return errors.New("its first 64 KiB differ")
	}
	return nil
}

// CheckSettings reports why settings are not those s was written with, or
// nil.
func (s *State) CheckSettings(settings map[string]string) error {
	for k, v := range settings {
		if old, ok := s.Settings[k]; !ok || old != v {
			return fmt.Errorf("setting %s is %q, but the checkpoint was written with %q", k, v, old)
		}
	}
	for k, old := range s.Settings {
		if _, ok := settings[k]; !ok {
			return fmt.Errorf("setting %s is unset, but the checkpoint was written with %q", k, old)
		}
	}
	return nil
}

// Load reads the state file at path. It returns ErrNotFound when there is
// none and a *CorruptError when it cannot be used.
func Load(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	var s State
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	if err := s.validate(); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	return &s, nil
}

func (s *State) validate() error {
	if s.Version != Version {
		return fmt.Errorf("format version %d, want %d", s.Version, Version)
	}
	if s.Input.Size < 0 || s.Watermark.Offset < 0 || s.Watermark.Offset > s.Input.Size || s.Watermark.Line < 1 {
		return fmt.Errorf("watermark %+v outside the input", s.Watermark)
	}
	prev := s.Watermark.Offset
	for _, sp := range s.Settled {
		if sp.Start < prev || sp.End.Offset <= sp.Start || sp.End.Offset > s.Input.Size {
			return fmt.Errorf("settled span %+v out of order", sp)
		}
		prev = sp.End.Offset
	}
	if s.DeadLetterSize < 0 {
		return fmt.Errorf("dead-letter size %d", s.DeadLetterSize)
	}
	return nil
}

// Save writes s to path atomically (see WriteFile): a crash leaves the
// old file or the new one, never a mix. The file is readable by its owner
// only.
func Save(path string, s *State) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	if err := WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}
