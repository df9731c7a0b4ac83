//go:build !unix

package deadletter

import "testing"

func mustMkfifo(t *testing.T, path string) {
	t.Skip("named pipes are made with mkfifo, which this system lacks")
}
