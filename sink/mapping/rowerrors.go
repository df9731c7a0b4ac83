package mapping

import (
	"strconv"
	"strings"

	"github.com/hubsync/hubsync/source"
)

// valueProblem is one reason a record is refused: its code and what is
// wrong, without the line number, which the record's message gives once.
type valueProblem struct {
	code, text string
}

// recordError gathers every problem of a record into one error, so that a
// row with three bad cells is fixed in one round instead of three. Its code
// is the first problem's: the code column of a dead-letter file must stay
// one token that counts and replays group by, and a made-up "MULTIPLE"
// code would hide what the problems are. The message lists each problem
// with its own code.
func recordError(line int64, problems []valueProblem) *source.RecordError {
	prefix := "line " + strconv.FormatInt(line, 10) + ": "
	if len(problems) == 1 {
		return &source.RecordError{Code: problems[0].code, Message: prefix + problems[0].text}
	}
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString(strconv.Itoa(len(problems)))
	b.WriteString(" problems: ")
	for i, p := range problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.code)
		b.WriteString(": ")
		b.WriteString(p.text)
	}
	return &source.RecordError{Code: problems[0].code, Message: b.String()}
}
