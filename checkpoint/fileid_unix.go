//go:build unix

package checkpoint

import (
	"os"
	"syscall"
)

func identify(info os.FileInfo) *FileID {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	return &FileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)} // Dev is an int32 on some systems
}
