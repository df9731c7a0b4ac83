package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles writes a CPU profile of the whole run to cpuPath and an
// allocation profile, taken at the end, to memPath; an empty path turns
// either off. They are set from HUBSYNC_CPUPROFILE and HUBSYNC_MEMPROFILE
// (see docs/performance.md). A profile holds function names and counts,
// never record data or the token. Failing to write one is reported and
// does not stop the run.
func startProfiles(cpuPath, memPath string) (stop func()) {
	var cpu *os.File
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err == nil {
			if err = pprof.StartCPUProfile(f); err != nil {
				f.Close()
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "hubsync: HUBSYNC_CPUPROFILE: %v\n", err)
		} else {
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if memPath != "" {
			writeMemProfile(memPath)
		}
	}
}

func writeMemProfile(path string) {
	f, err := os.Create(path)
	if err == nil {
		runtime.GC() // up-to-date in-use figures
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "hubsync: HUBSYNC_MEMPROFILE: %v\n", err)
	}
}
