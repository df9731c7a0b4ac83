package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// buildInfo is what a binary knows of the source it was built from, for
// `hubsync version` and the report.
type buildInfo struct {
	Version string `json:"version"` // the release, or "dev" for a build from a work tree
	// Revision is the VCS commit the binary was built from, and Modified
	// says that the work tree had changes not in it. Go records them when
	// it builds inside a Git checkout; `go install …@version` does not.
	Revision string `json:"revision,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	// CommitTime is the time of that commit. Go records no build time,
	// so that a build can be reproduced bit for bit.
	CommitTime string `json:"commit_time,omitempty"`
	GoVersion  string `json:"go"`
	Platform   string `json:"platform"`
}

// currentBuild describes this binary.
func currentBuild() buildInfo {
	bi, _ := debug.ReadBuildInfo()
	return describeBuild(bi, version)
}

// describeBuild reads bi, which may be nil. ldVersion, set with -ldflags
// "-X main.version=…", wins over the module version, which is "(devel)"
// for a build from a work tree.
func describeBuild(bi *debug.BuildInfo, ldVersion string) buildInfo {
	b := buildInfo{Version: ldVersion, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		return b
	}
	if bi.GoVersion != "" {
		b.GoVersion = bi.GoVersion
	}
	if (ldVersion == "" || ldVersion == "dev") && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		case "vcs.time":
			b.CommitTime = s.Value
		}
	}
	return b
}

// printVersion writes what `hubsync version` prints: the version on the
// first line, then what it was built from.
func printVersion(w io.Writer, b buildInfo) {
	fmt.Fprintf(w, "hubsync %s\n", b.Version)
	if b.Revision != "" {
		modified := ""
		if b.Modified {
			modified = " (modified: built with changes not committed)"
		}
		fmt.Fprintf(w, "revision:  %s%s\n", b.Revision, modified)
	} else {
		fmt.Fprintf(w, "revision:  unknown (not built from a Git checkout)\n")
	}
	if b.CommitTime != "" {
		fmt.Fprintf(w, "committed: %s\n", b.CommitTime)
	}
	fmt.Fprintf(w, "go:        %s %s\n", b.GoVersion, b.Platform)
}
