package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hubsync/hubsync/sink/deadletter"
)

// syncPath is one file a sync reads or writes.
type syncPath struct {
	what     string // how the messages name it: "--checkpoint", "the input FILE", …
	flag     string // the flag that sets it; "" for the input
	path     string
	output   bool // written by the sync
	explicit bool // named by its flag, not by default
	// noLink refuses a symbolic link at the path: the dead-letter file is
	// appended to in place, so a link would send its entries elsewhere.
	// The checkpoint and the report are replaced by a rename, which
	// replaces a link rather than follow it.
	noLink bool
	// secret marks the token file: read as records, its token would be
	// sent, dead-lettered or quoted in an error; written to, it is lost.
	secret bool
}

// syncPaths lists the files a sync of file with o reads and writes, with
// the default names filled in as openCheckpoint and openDryRun fill them in: the
// input, the token file (when given), the checkpoint (not for a dry run,
// which keeps none), the dead-letter file and the report (only when asked
// for). lockJob adds the job's lock file.
func syncPaths(o syncOptions, file string) []syncPath {
	// An unknown format is a usage error of its own; the default dead-letter
	// name is then the CSV one, as defaultDeadLetterPath makes it.
	format, _ := inputFormat(o.Format, file)
	paths := []syncPath{{what: "the input FILE", path: file}}
	if o.TokenFile != "" {
		paths = append(paths, syncPath{what: "--token-file", flag: "--token-file", path: o.TokenFile, explicit: true, secret: true})
	}
	output := func(flag, path, defaultWhat, defaultPath string) syncPath {
		if path == "" {
			return syncPath{what: defaultWhat, flag: flag, path: defaultPath, output: true}
		}
		return syncPath{what: flag, flag: flag, path: path, output: true, explicit: true}
	}
	if !o.DryRun {
		paths = append(paths, output("--checkpoint", o.Checkpoint, "the default checkpoint file", file+".checkpoint.json"))
	}
	dl := output("--dead-letter", o.DeadLetter, "the default dead-letter file", defaultDeadLetterPath(file, format))
	if o.DryRun {
		dl.what, dl.path = "the dry run's dead-letter file", dryRunDeadLetterPath(o, file, format)
		if !dl.explicit {
			dl.what = "the dry run's default dead-letter file"
		}
	}
	dl.noLink = true
	paths = append(paths, dl)
	if o.Report != "" {
		paths = append(paths, output("--report", o.Report, "", ""))
	}
	return paths
}

// checkSyncPaths refuses a sync whose files would destroy one another or
// could not be written safely: two of them that are the same file, and an
// output that exists and is not a regular file (a directory, a named pipe,
// which would block the run, a socket or a device; or, for the dead-letter
// file, a symbolic link). It runs before anything is opened, written or
// sent, the report included, since the report may be one of the culprits.
//
// Two paths are the same file when their absolute, cleaned forms with
// symbolic links resolved are equal (which also catches two names for a
// file that does not exist yet), or when both exist and os.SameFile says so
// (hard links).
func checkSyncPaths(paths []syncPath) error {
	infos := make([]fs.FileInfo, len(paths))
	resolved := make([]string, len(paths))
	for i, p := range paths {
		if p.output {
			if err := checkOutputPath(p); err != nil {
				return err
			}
		}
		infos[i], _ = os.Stat(p.path)
		resolved[i] = resolvePath(p.path)
	}
	for i, a := range paths {
		for j := i + 1; j < len(paths); j++ {
			b := paths[j]
			if resolved[i] == resolved[j] || (infos[i] != nil && infos[j] != nil && os.SameFile(infos[i], infos[j])) {
				return &samePathError{a: a, b: b}
			}
		}
	}
	return nil
}

// checkOutputPath refuses an output path that exists and is not a regular
// file, or a link to one.
func checkOutputPath(p syncPath) error {
	info, err := os.Lstat(p.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", p.what, err)
	}
	if info.Mode()&fs.ModeSymlink != 0 && !p.noLink {
		if info, err = os.Stat(p.path); errors.Is(err, fs.ErrNotExist) {
			return nil // a dangling link: the rename that writes the file replaces it
		} else if err != nil {
			return fmt.Errorf("check %s: %w", p.what, err)
		}
	}
	if info.Mode().IsRegular() {
		return nil
	}
	return &outputPathError{p: p, mode: info.Mode().Type()}
}

// outputPathError means an output path of a sync is something hubsync must
// not write to.
type outputPathError struct {
	p    syncPath
	mode fs.FileMode // its type bits
}

func (e *outputPathError) Error() string {
	if e.mode&fs.ModeSymlink != 0 {
		return fmt.Sprintf("%s %s is a symbolic link: hubsync does not follow one to write dead letters, so that a link cannot send them elsewhere; name the file itself with %s",
			e.p.what, e.p.path, e.p.flag)
	}
	return fmt.Sprintf("%s %s is %s; hubsync writes only regular files there, and creates a missing one: pass %s a file name",
		e.p.what, e.p.path, deadletter.Kind(e.mode), e.p.flag)
}

// resolvePath is path made absolute and clean, with symbolic links
// resolved: in the whole path when it exists, else in its directory.
func resolvePath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// samePathError means two paths of a sync name the same file: a is listed
// before b in syncPaths.
type samePathError struct{ a, b syncPath }

// Error says which flag to change: b's, unless only a's was given.
func (e *samePathError) Error() string {
	a, b := e.a, e.b
	fix := b
	if a.explicit && !b.explicit {
		fix = a
	}
	where := a.path
	if a.path != b.path {
		where = a.path + " and " + b.path + " name one file"
	}
	why := "writing one would destroy the other"
	switch {
	case a.secret && !b.output, b.secret && !a.output:
		why = "its token would be read as records, and sent, dead-lettered or quoted in an error"
	case a.secret, b.secret:
		why = "the run would write over the token, or write it into its own files"
	}
	return fmt.Sprintf("%s and %s are the same file (%s): %s; pass %s a path of its own",
		a.what, b.what, where, why, fix.flag)
}

// hasUserinfo reports whether a base URL holds a user name or password
// (user:password@host). A parsed URL's User is not enough: text that does
// not parse, or parses with the credentials in an opaque part, would still
// be quoted back in error messages.
func hasUserinfo(baseURL string) bool {
	rest := baseURL
	if _, after, ok := strings.Cut(baseURL, "://"); ok {
		rest = after
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return strings.Contains(rest, "@")
}

// withoutUserinfo is baseURL with any user name and password removed.
func withoutUserinfo(baseURL string) string {
	if !hasUserinfo(baseURL) {
		return baseURL
	}
	scheme, rest, ok := strings.Cut(baseURL, "://")
	if !ok {
		return "[base url with credentials removed]"
	}
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host = rest[:i]
	}
	return scheme + "://" + rest[strings.LastIndex(host, "@")+1:]
}

// errBaseURLUserinfo refuses a base URL with credentials. The access token
// is the only credential hubsync sends; credentials in the URL would be a
// second secret sent to the server (Go's client turns them into a Basic
// Authorization header) and copied into every log line, checkpoint and
// report that shows the URL. It is refused before the report is written,
// and the message does not quote the URL.
var errBaseURLUserinfo = errors.New("--base-url holds a user name or password (user:password@host): hubsync sends only the access token; remove them from the URL")

// checkBeforeStart runs the checks of a sync that must pass before the run
// writes anything, its report included: the files it touches, and a base
// URL without credentials.
func checkBeforeStart(o syncOptions, file string) error {
	if hasUserinfo(o.BaseURL) {
		return errBaseURLUserinfo
	}
	return checkSyncPaths(syncPaths(o, file))
}
