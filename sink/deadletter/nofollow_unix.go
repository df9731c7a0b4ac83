//go:build unix

package deadletter

import "syscall"

// openFlags make an open fail on a symbolic link rather than open what it
// points to, and return at once on a named pipe rather than wait for a
// writer (the check after the open then refuses it). A regular file
// ignores O_NONBLOCK.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
