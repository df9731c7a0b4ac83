//go:build !unix

package deadletter

// The flags are zero where the system has no O_NOFOLLOW and O_NONBLOCK:
// the look before the open is all there is.
const (
	nofollowFlag = 0
	nonblockFlag = 0
)
