package syncstate

import (
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"
)

// An unreadable state must never make a record look unchanged: Open
// refuses it with a message that says how to start afresh.
func TestDamaged(t *testing.T) {
	tests := []struct {
		name   string
		file   string // in the target's folder
		damage func(b []byte) []byte
		want   error
	}{
		{"state truncated", "state", func(b []byte) []byte { return b[:len(b)-10] }, errCount},
		{"state shorter than its header", "state", func(b []byte) []byte { return b[:20] }, errShort},
		{"state extended", "state", func(b []byte) []byte { return append(b, make([]byte, entrySize)...) }, errCount},
		{"state bad magic", "state", func(b []byte) []byte { copy(b, "PK\x03\x04"); return b }, errMagic},
		{"state entry count", "state", func(b []byte) []byte { binary.BigEndian.PutUint64(b[16:], 2); return b }, errCount},
		{"state bit flip", "state", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, errChecksum},
		{"state of other settings", "state", func(b []byte) []byte { b[40] ^= 1; return b }, errOtherSettings},
		{"state out of order", "state", swapFirstEntries, errOrder},
		{"journal truncated", "journal", func(b []byte) []byte { return b[:30] }, errShort},
		{"journal bad magic", "journal", func(b []byte) []byte { b[7] = 'S'; return b }, errMagic},
		{"target.json", "target.json", func(b []byte) []byte { return b[:len(b)/2] }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			runOnce(t, dir, Options{}, rows("1", "2", "3"), nil)
			s := openStore(t, dir, calls, Options{})
			send(t, s, rows("4"), nil)
			s.Close() // leaves a journal
			path := s.dir + "/" + tt.file
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tt.damage(b), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, o := range []Options{{Dir: dir}, {Dir: dir, ReadOnly: true}} {
				_, err := Open(calls, o)
				var damaged *DamagedError
				if !errors.As(err, &damaged) {
					t.Fatalf("Open(ReadOnly %v): %v, want a *DamagedError", o.ReadOnly, err)
				}
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("Open: %v, want %v", err, tt.want)
				}
				if !strings.Contains(err.Error(), "hubsync state reset "+s.id) {
					t.Errorf("the message does not say what to do: %v", err)
				}
			}
			// List reads headers only: it cannot see a flipped bit.
			if tt.file != "journal" && tt.want != errChecksum && tt.want != errOrder {
				infos, _ := List(dir)
				if len(infos) != 1 || infos[0].Problem == "" {
					t.Errorf("List: %+v, want the target with its problem", infos)
				}
			}
			if err := Reset(dir, s.id); err != nil {
				t.Fatalf("Reset: %v", err)
			}
			if sent, _ := runOnce(t, dir, Options{}, rows("1"), nil); len(sent) != 1 {
				t.Errorf("after Reset a run sent %v", sent)
			}
		})
	}
}

// swapFirstEntries swaps the first two entries of a state file and fixes
// its checksum, so that only the order is wrong.
func swapFirstEntries(b []byte) []byte {
	e := b[headerSize:]
	first := append([]byte(nil), e[:entrySize]...)
	copy(e, e[entrySize:2*entrySize])
	copy(e[entrySize:], first)
	var crc uint32
	for i := 0; i < len(e); i += entrySize {
		crc = crc32Update(crc, e[i:i+entrySize])
	}
	binary.BigEndian.PutUint32(b[24:], crc)
	return b
}
