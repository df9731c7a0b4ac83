package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hubsync/hubsync/checkpoint"
)

// checkDeadLetterFile refuses to resume the job in st over a dead-letter
// file at path that is not the one the job wrote, or over none where the
// job wrote dead letters. A resume reads the entries past DeadLetterSize as
// its own, written after the last save, and skips their lines: read from
// another job's file (two jobs that name one dead-letter file, the other
// of which archived this one's and started its own), they would skip
// records this job never sent. Checkpoints without the file's identity
// (older ones, systems without it) and a dead-letter file moved by the
// flag (a warning later) are let through, as before.
func checkDeadLetterFile(st *checkpoint.State, path string) error {
	if st.DeadLetterFile == nil || st.DeadLetterPath != path {
		return nil
	}
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if st.Counts.DeadLettered == 0 {
			return nil // nothing of the job's is lost; the run starts the file anew
		}
		return &deadLetterFileError{path: path, missing: true, dead: st.Counts.DeadLettered, archive: findArchive(path, st.DeadLetterFile)}
	case err != nil:
		return fmt.Errorf("check dead-letter file: %w", err)
	}
	if id := checkpoint.IdentifyFile(info); id != nil && *id != *st.DeadLetterFile {
		return &deadLetterFileError{path: path, dead: st.Counts.DeadLettered, archive: findArchive(path, st.DeadLetterFile)}
	}
	return nil
}

// identifyDeadLetterFile says which file the run writes at path, for the
// job's state and checkDeadLetterFile on a later resume.
func identifyDeadLetterFile(path string) (*checkpoint.FileID, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("identify dead-letter file: %w", err)
	}
	return checkpoint.IdentifyFile(info), nil
}

// findArchive returns the archive of path (PATH.prev-TIME, as archive
// names them) that is the file id, or "" when none is: a rename keeps a
// file's identity, so the job's own file is found wherever another job's
// run moved it.
func findArchive(path string, id *checkpoint.FileID) string {
	names, err := filepath.Glob(path + ".prev-*")
	if err != nil {
		return ""
	}
	for _, name := range names {
		if info, err := os.Lstat(name); err == nil {
			if got := checkpoint.IdentifyFile(info); got != nil && *got == *id {
				return name
			}
		}
	}
	return ""
}

// deadLetterFileError is checkDeadLetterFile's refusal.
type deadLetterFileError struct {
	path    string
	missing bool
	dead    int64  // dead letters the checkpoint says the job wrote
	archive string // where the job's file is now; "" when not found
}

func (e *deadLetterFileError) Error() string {
	what := fmt.Sprintf("the dead-letter file %s is not the one this job wrote: it was moved or replaced since", e.path)
	if e.missing {
		what = fmt.Sprintf("the dead-letter file %s is missing, yet this job wrote %d dead letters to it: it was moved or deleted since", e.path, e.dead)
	}
	where := fmt.Sprintf("the job's earlier dead letters may be in the archives %s.prev-*", e.path)
	if e.archive != "" {
		where = fmt.Sprintf("the job's earlier dead letters are in %s", e.archive)
	}
	return what + ", perhaps by another job that shares it; give each job its own --dead-letter (config dead_letter:).\n" +
		"Resuming over it would take another file's entries for this job's and skip their records; " + where +
		": move that file back to " + e.path + " (once nothing else writes there) and rerun to resume, or pass --restart to start the job over"
}
