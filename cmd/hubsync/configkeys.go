package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hubsync/hubsync/sink/mapping"
)

// checkConfigKeys walks the first YAML document of data against the keys
// syncOptions knows, and records in opts.src every key path it sets. An
// unknown key is an error that suggests the closest known one, and a value
// of the wrong kind an error that names its key; all of them are
// reported at once, with their lines. Errors of syntax are left to the
// decoder that follows.
func checkConfigKeys(data []byte, opts *syncOptions) error {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	keys := map[string]bool{}
	errs := walkConfig(&doc, reflect.TypeFor[syncOptions](), "", keys, 0)
	opts.src.configKeys = keys
	return errors.Join(errs...)
}

// maxConfigDepth bounds the walk: the deepest key a config can hold is
// mapping.properties.NAME.KEY.
const maxConfigDepth = 8

func walkConfig(n *yaml.Node, t reflect.Type, path string, keys map[string]bool, depth int) []error {
	for n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode || n.Kind != yaml.MappingNode || depth > maxConfigDepth {
		return nil // the decoder resolves aliases and reports what does not fit
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "<<" {
			continue // a merge key: the decoder checks what it brings
		}
		key := k.Value
		if path != "" {
			key = path + "." + k.Value
		}
		var vt reflect.Type
		switch t.Kind() {
		case reflect.Struct:
			fields := yamlFields(t)
			ft, ok := fields[k.Value]
			if !ok {
				errs = append(errs, fmt.Errorf("line %d: unknown key %s%s", k.Line, key, keyAdvice(k.Value, path, fields)))
				continue
			}
			vt = ft
		case reflect.Map:
			vt = t.Elem()
		default:
			return errs
		}
		keys[key] = true
		if err := checkKind(v, vt); err != nil {
			errs = append(errs, fmt.Errorf("line %d: %s: %w", v.Line, key, err))
			continue
		}
		errs = append(errs, walkConfig(v, vt, key, keys, depth+1)...)
	}
	return errs
}

// checkKind checks that a scalar value decodes into t, to say so with its
// key; lists and mappings are checked by the decoder, or by the walk.
func checkKind(v *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return nil
	}
	var want string
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		want = "a whole number"
	case reflect.Bool:
		want = "true or false"
	case reflect.Slice:
		want = "a list, such as [a, b]"
	case reflect.Map, reflect.Struct:
		want = "a mapping of keys to values"
	default:
		return nil
	}
	if err := v.Decode(reflect.New(t).Interface()); err != nil {
		return fmt.Errorf("%q: want %s", v.Value, want)
	}
	return nil
}

// yamlFields are the keys of struct type t, with their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

// flagOnly are the settings a config file may not hold, and why.
var flagOnly = map[string]string{
	"restart": "--restart is a flag only, so that a config file can never discard progress",
	"dry_run": "--dry-run is a flag only, so that a config file always means a real run",
	"token":   "the token is never read from a config file: set HUBSPOT_ACCESS_TOKEN, or token_file",
	"map":     "--map adds to mapping.columns: put the column under mapping: columns:",
	"drop":    "--drop adds to mapping.columns (COLUMN: \"-\"): put it under mapping: columns:",
	"set":     "--set adds to mapping.constants: put it under mapping: constants:",
}

// keyAdvice says what an unknown key at path may have meant.
func keyAdvice(key, path string, fields map[string]reflect.Type) string {
	norm := strings.ToLower(strings.ReplaceAll(strings.TrimLeft(key, "-"), "-", "_"))
	if path == "" {
		if why, ok := flagOnly[norm]; ok {
			return ": " + why
		}
		if _, ok := yamlFields(reflect.TypeFor[mapping.Config]())[norm]; ok {
			return fmt.Sprintf(": it belongs under mapping: (mapping.%s)", norm)
		}
	}
	prefix := ""
	if path != "" {
		prefix = path + "."
	}
	if _, ok := fields[norm]; ok && norm != key {
		return fmt.Sprintf(": did you mean %s%s? (config keys are lower case, with _ where flags have -)", prefix, norm)
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	if best := closestKey(norm, names); best != "" {
		return fmt.Sprintf(": did you mean %s%s?", prefix, best)
	}
	return fmt.Sprintf(" (known keys here: %s)", strings.Join(names, ", "))
}

// closestKey is the name closest to key by edit distance, when it is close
// enough to be a likely typo: at most a third of the key's length, and at
// least 2, edits away.
func closestKey(key string, names []string) string {
	best, bestDist := "", max(2, len(key)/3)+1
	for _, name := range names {
		if d := mapping.EditDistance(key, name); d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}
