package emulator

import "fmt"

// batchInput is one decoded item of "inputs" (docs/hubspot-api.md §3).
type batchInput struct {
	id         string
	idProperty string
	hasIDProp  bool
	traceID    string
	hasTrace   bool
	props      []propValue // in body order; a repeated name: the last one wins
}

type propValue struct{ name, value string }

// decodeError is a body HubSpot's (Jackson) deserializer would refuse. Its
// message mimics the observed form "Invalid input JSON on line 3, column 9:
// Cannot deserialize value of type …" (docs/hubspot-api.md §5); there is no category.
type decodeError struct {
	line, col int
	msg       string
}

func (e *decodeError) Error() string {
	return fmt.Sprintf("Invalid input JSON on line %d, column %d: %s", e.line, e.col, e.msg)
}

// decodeBatch parses a batch/update body strictly: unknown fields, trailing
// data, missing "inputs"/"id"/"properties", and property values that are not
// JSON strings are errors. HubSpot's real deserializer may coerce numbers,
// booleans and null to strings (docs/hubspot-api.md §3 and §13 question 6: [U]); the
// emulator refuses them on purpose so that a client which sends them fails
// here rather than depending on an undocumented coercion in production.
//
// Property names found in known are taken from it rather than copied.
func decodeBatch(body []byte, known map[string]*prop) ([]batchInput, *decodeError) {
	p := &parser{b: body, known: known}
	p.ws()
	if p.i == len(p.b) {
		return nil, p.errAt(p.i, "No content to map due to end-of-input")
	}
	if err := p.expectKind('{', "BatchInputSimplePublicObjectBatchInput"); err != nil {
		return nil, err
	}
	var inputs []batchInput
	seen := false
	err := p.object("BatchInputSimplePublicObjectBatchInput", func(key []byte, at int) *decodeError {
		if string(key) != "inputs" {
			return p.unknownField(key, at, "BatchInputSimplePublicObjectBatchInput")
		}
		if p.peekNull() {
			return p.errAt(p.i, "Null value for creator property 'inputs'")
		}
		if err := p.expectKind('[', "java.util.List<SimplePublicObjectBatchInput>"); err != nil {
			return err
		}
		seen = true
		inputs = make([]batchInput, 0, 100)
		return p.array(func() *decodeError {
			in, err := p.input()
			inputs = append(inputs, in)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	if !seen {
		return nil, p.errAt(p.i-1, "Missing required creator property 'inputs'")
	}
	p.ws()
	if p.i < len(p.b) {
		return nil, p.errAt(p.i, "Unexpected trailing token after the end of the root value")
	}
	return inputs, nil
}

// input parses one SimplePublicObjectBatchInput object.
func (p *parser) input() (batchInput, *decodeError) {
	const class = "SimplePublicObjectBatchInput"
	var in batchInput
	if err := p.expectKind('{', class); err != nil {
		return in, err
	}
	var hasID, hasProps bool
	err := p.object(class, func(key []byte, at int) *decodeError {
		var err *decodeError
		switch string(key) {
		case "id":
			if p.peekNull() {
				return p.errAt(p.i, "Null value for creator property 'id'")
			}
			in.id, err = p.stringValue()
			hasID = true
		case "idProperty":
			if p.skipNull() { // null is "absent" for an optional field
				return nil
			}
			in.idProperty, err = p.stringValue()
			in.hasIDProp = true
		case "objectWriteTraceId":
			if p.skipNull() {
				return nil
			}
			in.traceID, err = p.stringValue()
			in.hasTrace = true
		case "properties":
			if p.peekNull() {
				return p.errAt(p.i, "Null value for creator property 'properties'")
			}
			if err := p.expectKind('{', "java.util.Map<java.lang.String,java.lang.String>"); err != nil {
				return err
			}
			hasProps = true
			in.props = make([]propValue, 0, 8)
			err = p.object("", func(name []byte, _ int) *decodeError {
				v, err := p.stringValue()
				in.props = append(in.props, propValue{p.name(name), v})
				return err
			})
		default:
			return p.unknownField(key, at, class)
		}
		return err
	})
	switch {
	case err != nil:
		return in, err
	case !hasID:
		return in, p.errAt(p.i-1, "Missing required creator property 'id'")
	case !hasProps:
		return in, p.errAt(p.i-1, "Missing required creator property 'properties'")
	}
	return in, nil
}
