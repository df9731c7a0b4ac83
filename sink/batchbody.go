package sink

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// batchBody is what matching needs from a 200/207 body (docs/hubspot-api.md §4).
type batchBody struct {
	status  string
	results []resultRef
	errors  []errorRef
}

// parseBatch reads a 200/207 body and returns what matching needs,
// skipping everything else, with jsontext's token reader. hint is the
// number of inputs sent.
//
// It reads the token stream rather than unmarshalling into structs
// because most of a 200 body is the echo of every property written, which
// hubsync does not need: skipping it costs a fraction of what
// encoding/json spends on it (BenchmarkDecodeBody), and only one property
// of it, the idProperty's, is ever looked up.
//
// It fails only on a body that is not JSON; duplicate member names and
// invalid UTF-8, which encoding/json let through, do not make it fail.
// Member names are matched as HubSpot spells them (encoding/json also
// took "Results" for "results"). Everything else is lenient, as HubSpot's
// answers need: every member is optional, a number or bool where a string
// is expected is kept as its literal text (ids come back as numbers), null
// or a container there reads as "", a results or errors member that is not
// an array (null included) is ignored, and a later duplicate member wins.
// An element of results or errors that is not an object still counts, as
// an entry naming nothing, so that match never takes the results for
// fewer than HubSpot sent.
func parseBatch(body []byte, idProperty string, hint int) (batchBody, error) {
	p := batchParser{
		dec:        jsontext.NewDecoder(bytes.NewBuffer(body), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)),
		idProperty: idProperty,
	}
	var b batchBody
	err := p.top(&b, hint)
	if err == nil {
		// One value and nothing after it.
		if _, err = p.dec.ReadValue(); errors.Is(err, io.EOF) {
			err = nil
		} else if err == nil {
			err = errors.New("data after top-level value")
		}
	} else if errors.Is(err, io.EOF) { // an empty body
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return batchBody{}, syntaxError(err)
	}
	return b, nil
}

// syntaxError says where a body stopped being JSON. jsontext's own message
// would quote the path of member names that led there, which a hostile
// server chooses; the offset and the cause are enough.
func syntaxError(err error) error {
	if se, ok := errors.AsType[*jsontext.SyntacticError](err); ok {
		return fmt.Errorf("invalid JSON at byte %d: %w", se.ByteOffset, se.Err)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

type batchParser struct {
	dec        *jsontext.Decoder
	idProperty string
	key        []byte // scratch for unescaping member names
}

// members calls each with the name of every member of the object that
// starts at the next token, and the decoder positioned at its value, which
// each must consume. A value that is not an object, null included, is
// skipped.
func (p *batchParser) members(each func(name []byte) error) error {
	if p.dec.PeekKind() != '{' {
		return p.skip()
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return err
	}
	for p.dec.PeekKind() != '}' {
		v, err := p.dec.ReadValue()
		if err != nil {
			return err
		}
		if err := each(p.name(v)); err != nil {
			return err
		}
	}
	_, err := p.dec.ReadToken()
	return err
}

// name returns a member name unescaped, valid until the next read.
func (p *batchParser) name(v jsontext.Value) []byte {
	if bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1]
	}
	p.key, _ = jsontext.AppendUnquote(p.key[:0], v)
	return p.key
}

// elements calls each for every element of the array that starts at the
// next token. It reports whether the value was an array: anything else is
// skipped.
func (p *batchParser) elements(each func() error) (bool, error) {
	if p.dec.PeekKind() != '[' {
		return false, p.skip()
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return true, err
	}
	for p.dec.PeekKind() != ']' {
		if err := each(); err != nil {
			return true, err
		}
	}
	_, err := p.dec.ReadToken()
	return true, err
}

// readArray reads an array of T into *dst, each element with read; a
// value that is not an array is skipped and leaves *dst as it was (of
// duplicate members, the last array wins). hint is the expected length.
func readArray[T any](p *batchParser, dst *[]T, hint int, read func(*T) error) error {
	list := make([]T, 0, hint)
	isArray, err := p.elements(func() error {
		list = append(list, *new(T))
		return read(&list[len(list)-1])
	})
	if isArray {
		*dst = list
	}
	return err
}

// skip passes over the next value. Reading it whole is a single scan of
// its bytes, about twice as fast for an object as jsontext's SkipValue,
// which reads it token by token; the value read is dropped.
func (p *batchParser) skip() error {
	_, err := p.dec.ReadValue()
	return err
}

func (p *batchParser) top(b *batchBody, hint int) error {
	return p.members(func(name []byte) (err error) {
		switch string(name) {
		case "status":
			b.status, err = p.text()
		case "results":
			err = readArray(p, &b.results, hint, p.result)
		case "errors":
			err = readArray(p, &b.errors, 0, p.error)
		default:
			err = p.skip()
		}
		return err
	})
}

func (p *batchParser) result(r *resultRef) error {
	return p.members(func(name []byte) (err error) {
		switch {
		case string(name) == "id":
			r.id, err = p.text()
		case string(name) == "objectWriteTraceId":
			r.trace, err = p.text()
		case string(name) == "properties" && p.idProperty != "":
			err = p.members(func(name []byte) (err error) {
				if string(name) == p.idProperty {
					r.prop, err = p.text()
					return err
				}
				return p.skip()
			})
		default:
			err = p.skip()
		}
		return err
	})
}

func (p *batchParser) error(e *errorRef) error {
	return p.members(func(name []byte) (err error) {
		switch string(name) {
		case "category":
			e.category, err = p.text()
		case "message":
			e.message, err = p.text()
		case "context":
			err = p.members(func(name []byte) (err error) {
				switch string(name) {
				case "ids":
					e.ids, err = p.texts()
				case "objectWriteTraceId":
					e.traces, err = p.texts()
				default:
					err = p.skip()
				}
				return err
			})
		default:
			err = p.skip()
		}
		return err
	})
}

// text reads the next value as flexText reads it.
func (p *batchParser) text() (string, error) {
	v, err := p.dec.ReadValue()
	return flexText(v), err
}

// texts reads the next value as a list: each element of an array as
// text, null or an object as no element, another scalar as one.
func (p *batchParser) texts() ([]string, error) {
	switch p.dec.PeekKind() {
	case 'n', '{':
		return nil, p.skip()
	case '[':
		var out []string
		_, err := p.elements(func() error {
			s, err := p.text()
			out = append(out, s)
			return err
		})
		return out, err
	}
	s, err := p.text()
	return []string{s}, err
}
