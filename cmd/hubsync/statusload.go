package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hubsync/hubsync/checkpoint"
)

// checkpointHead is how every checkpoint hubsync writes begins: a JSON
// object whose first key is the format version.
var checkpointHead = []byte(`{"version"`)

// loadStatus loads the checkpoint at path for the status command. A path
// that holds no checkpoint at all (the input itself, say, or an empty
// file) is said to be that, not a damaged checkpoint: the advice for a
// damaged one, to move it away, would be wrong for an input. It looks at
// the head of the file before reading it whole, so that a large input is
// not read into memory.
func loadStatus(path string) (*checkpoint.State, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("no checkpoint at %s%s", path, checkpointHint(path))
	case err != nil:
		return nil, fmt.Errorf("read checkpoint: %w", err)
	case info.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a checkpoint file%s", path, checkpointHint(path))
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file, so not a checkpoint", path)
	case info.Size() == 0:
		return nil, fmt.Errorf("%s is empty: not a hubsync checkpoint%s", path, checkpointHint(path))
	}
	head, err := readHead(path, 512)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	if !looksLikeCheckpoint(head) {
		return nil, fmt.Errorf("%s is not a hubsync checkpoint%s", path, checkpointHint(path))
	}
	return checkpoint.Load(path)
}

// checkpointHint points at the checkpoint a sync of path would keep, when
// it exists, or says where checkpoints are kept.
func checkpointHint(path string) string {
	if info, err := os.Stat(path + ".checkpoint.json"); err == nil && info.Mode().IsRegular() {
		return fmt.Sprintf("; its sync's checkpoint is next to it: hubsync status %s", shellJoin([]string{path + ".checkpoint.json"}))
	}
	return "; a sync keeps its checkpoint in INPUT.checkpoint.json next to the input, unless --checkpoint named another file"
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:k], nil
}

// looksLikeCheckpoint reports whether head, the start of a file, begins as
// a checkpoint does, whatever the white space.
func looksLikeCheckpoint(head []byte) bool {
	var compact []byte
	for _, b := range head {
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			compact = append(compact, b)
		}
		if len(compact) >= len(checkpointHead) {
			break
		}
	}
	return bytes.Equal(compact, checkpointHead)
}
