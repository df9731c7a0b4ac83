package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/sink/deadletter"
)

// maxTokenFileBytes bounds a token file. A HubSpot private app token is
// under 100 bytes; the bound turns a path slip (--token-file /dev/zero, a
// log file) into an error instead of a read that fills memory.
const maxTokenFileBytes = 4 << 10

// readToken returns the access token from tokenFile when set, else from
// $HUBSPOT_ACCESS_TOKEN. The error never contains the token.
func readToken(tokenFile string, getenv func(string) string, log *zap.Logger) (string, error) {
	if tokenFile != "" {
		return readTokenFile(tokenFile, log)
	}
	if tok := strings.TrimSpace(getenv("HUBSPOT_ACCESS_TOKEN")); tok != "" {
		return tok, nil
	}
	return "", errors.New("no access token: set HUBSPOT_ACCESS_TOKEN to a private app token, or pass --token-file FILE")
}

// readTokenFile reads a token from path, which must be a regular file of
// at most maxTokenFileBytes. Like ssh with a private key, it warns when
// other users may read the file. Neither the error nor the warning quotes
// the file's content.
func readTokenFile(path string, log *zap.Logger) (string, error) {
	// deadletter.OpenRegular looks before it opens (opening a FIFO would
	// wait for a writer) and does not wait on one swapped in meanwhile.
	f, err := deadletter.OpenRegular(path, os.O_RDONLY, 0, true)
	var nr *deadletter.NotRegularError
	if errors.As(err, &nr) {
		return "", fmt.Errorf("token file %s is not a regular file (%s): put the token in a file of its own, or in $HUBSPOT_ACCESS_TOKEN", path, deadletter.Kind(nr.Mode))
	}
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFileBytes+1))
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	if len(b) > maxTokenFileBytes {
		return "", fmt.Errorf("token file %s is over %d bytes, too long for an access token: check the path (it should hold the token alone)", path, maxTokenFileBytes)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		log.Warn("the token file is open to other users: make it readable by its owner only (chmod 600)",
			zap.String("file", path), zap.String("mode", fmt.Sprintf("%04o", perm)))
	}
	return tok, nil
}
