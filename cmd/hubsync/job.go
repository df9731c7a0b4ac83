package main

import (
	"fmt"
	"io/fs"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/checkpoint"
)

// unfinishedJobError refuses a new input at the path of a job that did not
// finish: last night's run stopped, and tonight's export replaced its file.
// Starting the new file would leave the rest of the old one unsent, and
// only a person knows whether that is right.
type unfinishedJobError struct {
	path    string
	state   *checkpoint.State
	changed error
}

func (e *unfinishedJobError) Error() string {
	st := e.state
	return fmt.Sprintf("%v, and the job in checkpoint %s is unfinished: "+
		"every record before line %d of the old file is settled (%d applied, %d dead-lettered), the rest was never sent; last run %s.\n"+
		"To finish the old job, put its file back and rerun. To start on the new file, pass --restart this once, "+
		"or --on-new-input restart (config on_new_input: restart) to do so whenever it happens: the unfinished job is archived, not deleted",
		e.changed, e.path, st.Watermark.Line, st.Counts.Applied, st.Counts.DeadLettered, st.UpdatedAt.Local().Format(time.DateTime))
}

func (e *unfinishedJobError) Unwrap() error { return e.changed }

// archiveEarlier moves aside what an earlier job left at this new job's
// paths, before anything is written to them: the checkpoint of the job it
// replaces, then the dead-letter file at dlPath (a dead-letter file without
// a checkpoint that accounts for it is from another run, and appending
// would mix the two). Each is kept as PATH.prev-TIME, and the oldest
// archives beyond keep are removed. It says what it did in one log line.
func archiveEarlier(j *checkpoint.Job, dlPath string, keep int, log *zap.Logger) error {
	var cpMoved string
	var pruned []string
	earlier, why := j.Replaces()
	if earlier != nil {
		// The checkpoint may be a symbolic link (it is replaced by a
		// rename, not written through); archiving one would move the link
		// and leave its target behind.
		if info, err := os.Lstat(j.Path()); err == nil && info.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("checkpoint %s is a symbolic link: hubsync archives only the file itself, so name that with --checkpoint", j.Path())
		}
		moved, p, err := archive(j.Path(), keep)
		if err != nil {
			return err
		}
		cpMoved, pruned = moved, p
	}
	dlMoved, p, err := archive(dlPath, keep)
	if err != nil {
		return err
	}
	pruned = append(pruned, p...)
	fields := []zap.Field{zap.String("checkpoint_archive", cpMoved), zap.String("dead_letter_archive", dlMoved), zap.Int("keep_archives", keep)}
	if len(pruned) > 0 {
		fields = append(fields, zap.Strings("removed_old_archives", pruned))
	}
	switch why {
	case checkpoint.ReplaceNone:
		if dlMoved != "" {
			log.Warn("moved an earlier dead-letter file aside", append(fields[1:], zap.String("from", dlPath))...)
		}
	case checkpoint.ReplaceRestart:
		log.Info("--restart: the earlier job is archived and a new one starts", fields...)
	case checkpoint.ReplaceFinished:
		log.Info("new input at the same path: the finished job is archived and a new one starts", fields...)
	case checkpoint.ReplaceUnfinished:
		st := earlier
		log.Warn("new input over an unfinished job: --on-new-input restart archives it and starts the new file; "+
			"the old file's records from the line below on were never sent", append(fields,
			zap.Int64("old_unsent_from_line", st.Watermark.Line), zap.Int64("old_applied", st.Counts.Applied),
			zap.Time("old_last_run", st.UpdatedAt))...)
	}
	return nil
}
