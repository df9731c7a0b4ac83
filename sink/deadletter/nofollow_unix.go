//go:build unix

package deadletter

import "syscall"

// An open with nofollowFlag fails on a symbolic link rather than open what
// it points to; one with nonblockFlag returns at once on a named pipe
// rather than wait for a writer (the look after the open then refuses
// it). A regular file ignores O_NONBLOCK.
const (
	nofollowFlag = syscall.O_NOFOLLOW
	nonblockFlag = syscall.O_NONBLOCK
)
