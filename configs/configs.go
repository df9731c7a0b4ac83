// Package configs holds hubsync's example configuration files and the
// emulator's default schema, embedded so that tests can load every one of
// them and they never rot.
package configs

import "embed"

// FS holds every *.yaml and *.json file of this folder.
//
//go:embed *.yaml *.json
var FS embed.FS
