package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	lastNight = Input{Path: "/data/export.csv", Size: 100, ModTime: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), Head: "aaaa"}
	tonight   = Input{Path: "/data/export.csv", Size: 120, ModTime: time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC), Head: "bbbb"}
	settingsA = map[string]string{"object": "communications"}
	settingsB = map[string]string{"object": "contacts"}
)

// jobState is a checkpoint of an unfinished job on lastNight, or of a
// finished one.
func jobState(complete bool) *State {
	st := &State{Version: Version, Input: lastNight, Settings: settingsA, Watermark: Pos{Offset: 40, Line: 9},
		DeadLetterPath: "dl.csv", Counts: Counts{Read: 8, Applied: 7, DeadLettered: 1}, Complete: complete,
		UpdatedAt: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)}
	if complete {
		st.Watermark.Offset = lastNight.Size
	}
	return st
}

// TestOpenDecides covers every way a run decides between resuming the job
// in the checkpoint and starting a new one; Open never changes the file.
func TestOpenDecides(t *testing.T) {
	type want struct {
		resumed, complete bool
		why               ReplaceReason
		err               any // nil, or a pointer to the error type wanted
	}
	tests := []struct {
		name       string
		file       string // "none", "unfinished", "finished" or "corrupt"
		in         Input
		settings   map[string]string
		restart    bool
		newRestart bool // NewInputRestarts
		want       want
	}{
		{"no checkpoint: new job", "none", tonight, settingsA, false, false, want{}},
		{"same input, unfinished: resume", "unfinished", lastNight, settingsA, false, false, want{resumed: true}},
		{"same input, finished: complete", "finished", lastNight, settingsA, false, false, want{resumed: true, complete: true}},
		{"new input, finished: replaced", "finished", tonight, settingsA, false, false, want{why: ReplaceFinished}},
		{"new input, finished, other settings: replaced", "finished", tonight, settingsB, false, false, want{why: ReplaceFinished}},
		{"new input, unfinished: refused", "unfinished", tonight, settingsA, false, false, want{err: new(*UnfinishedError)}},
		{"new input, unfinished, new input restarts: replaced", "unfinished", tonight, settingsA, false, true, want{why: ReplaceUnfinished}},
		{"new input, unfinished, restart: replaced", "unfinished", tonight, settingsA, true, false, want{why: ReplaceRestart}},
		{"same input, restart: replaced", "unfinished", lastNight, settingsA, true, false, want{why: ReplaceRestart}},
		{"same input, finished, restart: replaced", "finished", lastNight, settingsA, true, false, want{why: ReplaceRestart}},
		{"same input, other settings, unfinished: refused", "unfinished", lastNight, settingsB, false, true, want{err: new(*SettingsError)}},
		{"same input, other settings, finished: refused", "finished", lastNight, settingsB, false, false, want{err: new(*SettingsError)}},
		{"corrupt: refused", "corrupt", lastNight, settingsA, false, false, want{err: new(*CorruptError)}},
		{"corrupt, restart: refused all the same", "corrupt", lastNight, settingsA, true, true, want{err: new(*CorruptError)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "export.csv.checkpoint.json")
			before := writeJobFile(t, path, tt.file)
			req := OpenRequest{Path: path, Input: tt.in, Settings: tt.settings, DeadLetterPath: "new-dl.csv",
				Command: []string{"hubsync", "sync"}, Restart: tt.restart, NewInputRestarts: tt.newRestart}
			j, err := Open(req)
			if tt.want.err != nil {
				if !errors.As(err, tt.want.err) {
					t.Fatalf("error %v (%T), want a %T", err, err, tt.want.err)
				}
			} else if err != nil {
				t.Fatalf("error %v", err)
			}
			if after, _ := readFile(path); after != before {
				t.Errorf("Open changed the checkpoint file")
			}
			if err != nil {
				return
			}
			earlier, why := j.Replaces()
			got := want{resumed: j.Resumed(), complete: j.Complete(), why: why}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if (earlier != nil) != (why != ReplaceNone) {
				t.Errorf("earlier job noted: %v, reason %d", earlier != nil, why)
			}
			st := j.State()
			if !j.Resumed() && (st.Input != tt.in || st.Watermark != Pos{Line: 1} || st.DeadLetterPath != "new-dl.csv" || st.Counts.Read != 0) {
				t.Errorf("new job state %+v, want input %+v from line 1, writing new-dl.csv", st, tt.in)
			}
			if j.Resumed() && (st.Watermark != jobState(tt.want.complete).Watermark || st.DeadLetterPath != "dl.csv") {
				t.Errorf("resumed job state %+v, want the checkpoint's", st)
			}
			if len(st.Command) != 2 {
				t.Errorf("command %q, want the run's", st.Command)
			}
		})
	}
}

// TestOpenErrorsSayWhy: the refusals carry what the caller words its
// message from.
func TestOpenErrorsSayWhy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp.json")
	writeJobFile(t, path, "unfinished")

	_, err := Open(OpenRequest{Path: path, Input: tonight, Settings: settingsA})
	var unfinished *UnfinishedError
	if !errors.As(err, &unfinished) || !errors.Is(err, ErrInputChanged) || unfinished.State.Watermark.Line != 9 || unfinished.Path != path {
		t.Errorf("new input over an unfinished job: %v, want an *UnfinishedError with the job, wrapping ErrInputChanged", err)
	}
	_, err = Open(OpenRequest{Path: path, Input: lastNight, Settings: settingsB})
	if want := fmt.Sprintf(`cannot resume from checkpoint %s: setting object is "contacts", but the checkpoint was written with "communications"`, path); err == nil || err.Error() != want {
		t.Errorf("other settings: %v, want %q", err, want)
	}
}

// TestReadDeadLetters: the dead letters written since the last save are
// counted once, across any number of crashes, and only from the file the
// job wrote.
func TestReadDeadLetters(t *testing.T) {
	tests := []struct {
		name      string
		listed    []int64 // DeadLines in the checkpoint
		path      string  // the file this run writes
		entries   []int64 // the source lines of the entries past DeadLetterSize
		scanErr   error
		wantDead  []int64 // lines skipped as dead
		wantAdded int64   // dead letters added to the totals
		wantErr   bool
	}{
		{"none", nil, "dl.csv", nil, nil, nil, 0, false},
		{"new entries counted", nil, "dl.csv", []int64{12, 15}, nil, []int64{12, 15}, 2, false},
		{"listed ones not counted again", []int64{12}, "dl.csv", []int64{12, 15}, nil, []int64{12, 15}, 1, false},
		{"one line twice counted once", nil, "dl.csv", []int64{15, 15}, nil, []int64{15}, 1, false},
		{"moved file not read", []int64{12}, "other.csv", []int64{15}, nil, []int64{12}, 0, false},
		{"missing file", []int64{12}, "dl.csv", nil, fs.ErrNotExist, []int64{12}, 0, false},
		{"unreadable file", nil, "dl.csv", nil, errors.New("boom"), nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cp.json")
			st := jobState(false)
			st.DeadLines, st.DeadLetterSize = tt.listed, 300
			if err := Save(path, st); err != nil {
				t.Fatal(err)
			}
			j, err := Open(OpenRequest{Path: path, Input: lastNight, Settings: settingsA})
			if err != nil {
				t.Fatal(err)
			}
			var from int64 = -1
			err = j.ReadDeadLetters(tt.path, func(f int64, yield func(int64)) error {
				from = f
				for _, l := range tt.entries {
					yield(l)
				}
				return tt.scanErr
			})
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want one: %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if tt.path == "dl.csv" && from != 300 {
				t.Errorf("scanned from %d, want the saved size 300", from)
			}
			sk := j.Skipper()
			var dead []int64
			for line := int64(9); line < 20; line++ {
				if sk.Skip(line*10, line*10+5, line) {
					dead = append(dead, line)
				}
			}
			if diff := cmp.Diff(tt.wantDead, dead); diff != "" {
				t.Errorf("lines skipped (-want +got):\n%s", diff)
			}
			got := j.Totals(Counts{})
			if got.DeadLettered != st.Counts.DeadLettered+tt.wantAdded || got.Read != st.Counts.Read+tt.wantAdded {
				t.Errorf("totals %+v, want %d more dead-lettered and read than %+v", got, tt.wantAdded, st.Counts)
			}
		})
	}
}

// TestDeadLettersCountedOnceAcrossCrashes: a run that finds dead letters
// since the last save, saves, and crashes; the next run finds none new
// and keeps the count.
func TestDeadLettersCountedOnceAcrossCrashes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp.json")
	st := jobState(false)
	st.DeadLetterSize = 300
	if err := Save(path, st); err != nil {
		t.Fatal(err)
	}
	file := map[int64][]int64{300: {15}, 400: nil} // entries past each size
	for run := 1; run <= 2; run++ {
		j, err := Open(OpenRequest{Path: path, Input: lastNight, Settings: settingsA})
		if err != nil {
			t.Fatal(err)
		}
		err = j.ReadDeadLetters("dl.csv", func(from int64, yield func(int64)) error {
			for _, l := range file[from] {
				yield(l)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Save(false, 400, Counts{}); err != nil {
			t.Fatal(err)
		}
		got, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if got.Counts.DeadLettered != 2 || got.Counts.Read != 9 || !cmp.Equal(got.DeadLines, []int64{15}) {
			t.Errorf("run %d saved %d dead-lettered, %d read, dead lines %v; want 2, 9, [15]", run, got.Counts.DeadLettered, got.Counts.Read, got.DeadLines)
		}
	}
}

// TestSkipperAcrossSpans: a record is skipped when it lies wholly inside a
// settled span, or its line was dead-lettered.
func TestSkipperAcrossSpans(t *testing.T) {
	sk := &Skipper{
		spans: []Span{{Start: 100, End: Pos{Offset: 200, Line: 20}}, {Start: 300, End: Pos{Offset: 350, Line: 35}}},
		dead:  map[int64]bool{25: true, 40: true},
	}
	records := []struct {
		start, end, line int64
		want             bool
	}{
		{50, 100, 5, false},   // before the first span
		{100, 150, 10, true},  // at its start
		{150, 200, 15, true},  // at its end
		{200, 250, 25, true},  // between the spans, dead-lettered
		{250, 300, 28, false}, // between the spans
		{290, 310, 30, false}, // across the second span's start
		{300, 350, 33, true},  // the second span whole
		{350, 400, 40, true},  // after the spans, dead-lettered
		{400, 450, 45, false}, // after the spans
	}
	for _, r := range records {
		if got := sk.Skip(r.start, r.end, r.line); got != r.want {
			t.Errorf("Skip(%d, %d, line %d) = %v, want %v", r.start, r.end, r.line, got, r.want)
		}
	}
}

// TestSave covers what a save writes: progress, counts and the dead lines
// still ahead of the watermark; a final save marks the job complete.
func TestSave(t *testing.T) {
	old := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		settle        bool // settle a batch over lines 9 to 13, to offset 60
		final         bool
		wantWatermark Pos
		wantSettled   []Span
		wantDeadLines []int64
		wantComplete  bool
		wantUpdated   bool // UpdatedAt moved
	}{
		{"nothing settled", false, false, Pos{Offset: 40, Line: 9}, []Span{{Start: 70, End: Pos{Offset: 80, Line: 17}}}, []int64{12, 15}, false, false},
		{"watermark moved", true, false, Pos{Offset: 60, Line: 13}, []Span{{Start: 70, End: Pos{Offset: 80, Line: 17}}}, []int64{15}, false, true},
		{"final", true, true, Pos{Offset: 100, Line: 13}, nil, nil, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cp.json")
			st := jobState(false)
			st.Settled = []Span{{Start: 70, End: Pos{Offset: 80, Line: 17}}}
			st.DeadLines, st.UpdatedAt = []int64{12, 15}, old
			st.Counts.ByCode = map[string]int64{"INVALID_EMAIL": 1}
			if err := Save(path, st); err != nil {
				t.Fatal(err)
			}
			j, err := Open(OpenRequest{Path: path, Input: lastNight, Settings: settingsA, Command: []string{"hubsync"}})
			if err != nil {
				t.Fatal(err)
			}
			if err := j.ReadDeadLetters("dl.csv", func(int64, func(int64)) error { return nil }); err != nil {
				t.Fatal(err)
			}
			if tt.settle {
				j.Settle(1, 40, Pos{Offset: 60, Line: 13})
			}
			run := Counts{Read: 4, Applied: 3, DeadLettered: 1, Requests: 2, RateLimited: 1, Retries: 1, Splits: 1,
				ByCode: map[string]int64{"INVALID_EMAIL": 1, "NOT_FOUND": 2}}
			if err := j.Save(tt.final, 500, run); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, ptr(j.State())); diff != "" {
				t.Errorf("the job's state is not what it saved (-file +job):\n%s", diff)
			}
			wantCounts := Counts{Read: 12, Applied: 10, DeadLettered: 2, Requests: 2, RateLimited: 1, Retries: 1, Splits: 1,
				ByCode: map[string]int64{"INVALID_EMAIL": 2, "NOT_FOUND": 2}}
			if diff := cmp.Diff(wantCounts, got.Counts); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			if got.Watermark != tt.wantWatermark || !cmp.Equal(got.Settled, tt.wantSettled) || !cmp.Equal(got.DeadLines, tt.wantDeadLines) || got.Complete != tt.wantComplete {
				t.Errorf("saved watermark %+v, settled %+v, dead lines %v, complete %v; want %+v, %+v, %v, %v",
					got.Watermark, got.Settled, got.DeadLines, got.Complete, tt.wantWatermark, tt.wantSettled, tt.wantDeadLines, tt.wantComplete)
			}
			if got.DeadLetterSize != 500 || len(got.Command) != 1 {
				t.Errorf("dead-letter size %d, command %q; want 500, the run's", got.DeadLetterSize, got.Command)
			}
			if updated := !got.UpdatedAt.Equal(old); updated != tt.wantUpdated {
				t.Errorf("UpdatedAt moved: %v, want %v", updated, tt.wantUpdated)
			}
		})
	}
}

// writeJobFile writes a checkpoint of the kind named at path ("none"
// writes nothing) and returns its content.
func writeJobFile(t *testing.T, path, kind string) string {
	t.Helper()
	switch kind {
	case "none":
		return ""
	case "corrupt":
		if err := writeRaw(path, "{not json"); err != nil {
			t.Fatal(err)
		}
	default:
		if err := Save(path, jobState(kind == "finished")); err != nil {
			t.Fatal(err)
		}
	}
	s, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}

func writeRaw(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }
