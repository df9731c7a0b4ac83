//go:build !unix

package deadletter

// openFlags is zero where the system has no O_NOFOLLOW: the check with
// os.Lstat before the open is all there is.
const openFlags = 0
