package emulator

import (
	"slices"
	"time"
)

// portalID appears in record URLs of results, as in the observed bodies
// (docs/hubspot-api.md §4). It is made up.
const portalID = "12345678"

// appendBatchBody encodes a 200 or 207 batch response (docs/hubspot-api.md §4) by hand:
// it is the hot path, and encoding/json's reflection and map sorting cost
// more than the rest of a request.
func appendBatchBody(b []byte, ot *objType, out outcome, created string, started, completed time.Time, echoTrace bool) []byte {
	size := 512
	for _, r := range out.results {
		size += 320 + len(r.trace)
		for _, p := range r.props {
			size += len(p.name) + len(p.value) + 6
		}
	}
	b = slices.Grow(b, size)
	b = append(b, `{"status":"COMPLETE","results":[`...)
	for i, r := range out.results {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = appendString(b, r.id)
		b = append(b, `,"properties":{`...)
		for j, p := range r.props {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, p.name)
			b = append(b, ':')
			b = appendString(b, p.value)
		}
		b = append(b, `},"createdAt":"`...)
		b = append(b, created...)
		b = append(b, `","updatedAt":"`...)
		b = append(b, out.stamp...)
		b = append(b, `","archived":false`...)
		if echoTrace && r.hasTrace {
			b = append(b, `,"objectWriteTraceId":`...)
			b = appendString(b, r.trace)
		}
		b = append(b, `,"url":"https://app.hubspot.com/contacts/`+portalID+`/record/`...)
		b = append(b, ot.id...)
		b = append(b, '/')
		b = append(b, r.id...)
		b = append(b, `"}`...)
	}
	b = append(b, ']')
	if len(out.missing) > 0 {
		// One entry for all missing ids, as observed (docs/hubspot-api.md §7); numErrors
		// counts entries, not ids ([U]), so clients must read context.ids.
		b = append(b, `,"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":`...)
		b = appendString(b, "Could not get some "+ot.singular+" objects, they may be deleted or not exist. Check that ids are valid.")
		b = append(b, `,"context":{"ids":[`...)
		for i, id := range out.missing {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, id)
		}
		b = append(b, `]}}]`...)
	}
	b = append(b, `,"startedAt":`...)
	b = appendTime(b, started)
	b = append(b, `,"completedAt":`...)
	b = appendTime(b, completed)
	return append(b, '}')
}

// formatTime renders t as HubSpot does: UTC, milliseconds, "Z".
func formatTime(t time.Time) string {
	return string(t.UTC().AppendFormat(nil, "2006-01-02T15:04:05.000Z"))
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. s is valid UTF-8 (it came
// through the decoder or from the schema), so only quotes, backslashes and
// control characters need escaping.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
