package main

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDescribeBuild(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "84a5ee0ec995c8c8e9c9f512402812f11102bc20"},
		{Key: "vcs.time", Value: "2026-12-02T15:03:57Z"}, {Key: "vcs.modified", Value: "true"}}
	tests := []struct {
		name      string
		bi        *debug.BuildInfo
		ldVersion string
		want      buildInfo
	}{
		{"no build info", nil, "dev", buildInfo{Version: "dev", GoVersion: runtime.Version(), Platform: platform}},
		{"work tree", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs}, "dev",
			buildInfo{Version: "dev", Revision: "84a5ee0ec995c8c8e9c9f512402812f11102bc20", Modified: true,
				CommitTime: "2026-12-02T15:03:57Z", GoVersion: "go1.26.8", Platform: platform}},
		{"go install at a version", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}}, "dev",
			buildInfo{Version: "v1.4.0", GoVersion: "go1.26.8", Platform: platform}},
		{"release with ldflags", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}}, "1.4.0-rc1",
			buildInfo{Version: "1.4.0-rc1", GoVersion: "go1.26.8", Platform: platform}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, describeBuild(tt.bi, tt.ldVersion)); diff != "" {
				t.Errorf("describeBuild (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrintVersion(t *testing.T) {
	var b bytes.Buffer
	printVersion(&b, buildInfo{Version: "dev", Revision: "84a5ee0", Modified: true, CommitTime: "2026-12-02T15:03:57Z", GoVersion: "go1.26.8", Platform: "linux/amd64"})
	want := "hubsync dev\nrevision:  84a5ee0 (modified: built with changes not committed)\ncommitted: 2026-12-02T15:03:57Z\ngo:        go1.26.8 linux/amd64\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("printVersion (-want +got):\n%s", diff)
	}
	b.Reset()
	printVersion(&b, buildInfo{Version: "v1.4.0", GoVersion: "go1.26.8", Platform: "linux/amd64"})
	if !strings.Contains(b.String(), "revision:  unknown") {
		t.Errorf("printVersion without a revision:\n%s", b.String())
	}
}
