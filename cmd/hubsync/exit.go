package main

import (
	"context"
	"errors"
	"strings"

	"github.com/hubsync/hubsync/pipeline"
	"github.com/hubsync/hubsync/sink"
)

// Exit statuses, decided in exitCode and nowhere else.
const (
	exitOK          = 0 // every record applied
	exitFatal       = 1 // stopped by an error that a rerun will not fix (bad token, missing scope, I/O error)
	exitUsage       = 2 // usage or configuration error; nothing was sent
	exitDeadLetters = 3 // finished; some records are in the dead-letter file
	exitResumable   = 4 // stopped before the end; rerun the same command to carry on
	exitNoRecords   = 5 // finished, but the input held no records: an export that failed may have left it empty
	// exitTooManyFailed: stopped because too many records failed
	// (--max-dead-letters, or whole batches rejected record by record);
	// progress is saved, but a rerun fails the same way until the cause
	// is fixed.
	exitTooManyFailed = 6
)

// errNoRecords ends a run whose input held no record at all (an empty or
// blank file, a CSV header alone). It is not success: an export that
// failed half-way often leaves just that. A resumed job whose records were
// all settled by earlier runs held records, and is not this case.
var errNoRecords = errors.New("the input held no records")

// usageError is a mistake in the command line or configuration, found
// before anything was sent.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode maps how a sync ended to the process exit status.
func exitCode(err error, deadLettered int64) int {
	var usage usageError
	var stop *pipeline.StopError
	switch {
	case err == nil && deadLettered > 0:
		return exitDeadLetters
	case err == nil:
		return exitOK
	case errors.Is(err, errNoRecords):
		return exitNoRecords
	case errors.Is(err, errInputChanged):
		// Before usageError: it may stop the first read of the input,
		// which is wrapped as one.
		return exitResumable
	case errors.As(err, &usage), errors.Is(err, pipeline.ErrBadEndpoint), sink.UnknownObjectType(err):
		return exitUsage
	case errors.Is(err, pipeline.ErrTooManyDeadLetters), errors.Is(err, pipeline.ErrAllRejected):
		return exitTooManyFailed
	case errors.Is(err, pipeline.ErrInterrupted), errors.As(err, &stop), errors.Is(err, context.Canceled):
		return exitResumable
	}
	return exitFatal
}

// advice tells the user what to do about err, when there is more to say
// than the error itself.
func advice(err error) string {
	var api *sink.APIError
	if !errors.As(err, &api) {
		return ""
	}
	switch api.StatusCode {
	case 401:
		return "HubSpot did not accept the access token: check HUBSPOT_ACCESS_TOKEN (or the --token-file) holds a current private app token; progress is saved, rerun once it is fixed"
	case 403:
		scopes := ""
		for _, d := range api.Errors {
			if s := d.Context["requiredScopes"]; len(s) > 0 {
				scopes = strings.Join(s, ", ")
			}
		}
		if scopes == "" {
			scopes = "the object's write scope (crm.objects.contacts.write for contacts and communications)"
		}
		return "the token lacks a scope this call needs: give the private app " + scopes + ", then rerun"
	}
	return ""
}

// resumableError adds to a resumable stop how to resume.
type resumableError struct {
	err  error
	hint string
}

func (e resumableError) Error() string { return e.err.Error() + "\n" + e.hint }
func (e resumableError) Unwrap() error { return e.err }
