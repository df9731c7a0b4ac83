package main

import (
	"go.yaml.in/yaml/v3"
)

// idColumnFlag is --id-column: it notes that the user named the column,
// which the default "id" alone cannot tell.
type idColumnFlag struct{ o *syncOptions }

func (f *idColumnFlag) String() string { return f.o.IDColumn }

func (f *idColumnFlag) Set(v string) error {
	f.o.IDColumn, f.o.idColumnGiven = v, true
	return nil
}

func (f *idColumnFlag) Type() string { return "string" }

// configSets reports whether the YAML document data, already decoded
// without error, sets the top-level key.
func configSets(data []byte, key string) bool {
	var top map[string]yaml.Node
	if yaml.Unmarshal(data, &top) != nil {
		return false
	}
	_, ok := top[key]
	return ok
}
