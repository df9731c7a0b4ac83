package syncstate

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// The state and the journal files start with a 64-byte header:
//
//	offset size
//	0      8    magic: "HUBSYNCS" (state) or "HUBSYNCJ" (journal)
//	8      4    format version (1), big-endian like every number here
//	12     4    entry size (24)
//	16     8    entry count (state; 0 in a journal, which grows)
//	24     4    CRC-32C of the entries (state; 0 in a journal)
//	28     4    zero
//	32     32   SHA-256 of the target's settings
//
// then the entries, 24 bytes each: the key (8 bytes, big-endian) and the
// fingerprint (16 bytes).
const (
	headerSize    = 64
	formatVersion = 1
)

var (
	stateMagic   = [8]byte{'H', 'U', 'B', 'S', 'Y', 'N', 'C', 'S'}
	journalMagic = [8]byte{'H', 'U', 'B', 'S', 'Y', 'N', 'C', 'J'}
	crcTable     = crc32.MakeTable(crc32.Castagnoli)
)

// header is the first 64 bytes of a state or journal file.
type header struct {
	magic    [8]byte
	count    uint64
	crc      uint32
	settings [32]byte
}

func (h header) bytes() []byte {
	b := make([]byte, headerSize)
	copy(b, h.magic[:])
	binary.BigEndian.PutUint32(b[8:], formatVersion)
	binary.BigEndian.PutUint32(b[12:], entrySize)
	binary.BigEndian.PutUint64(b[16:], h.count)
	binary.BigEndian.PutUint32(b[24:], h.crc)
	copy(b[32:], h.settings[:])
	return b
}

// Reasons a state or journal file is unusable.
var (
	errShort         formatError = "shorter than its header: truncated"
	errMagic         formatError = "not a hubsync sync state file (bad magic)"
	errOtherSettings formatError = "written for other settings than this target's"
	errCount         formatError = "its size does not match its entry count: truncated or extended"
	errChecksum      formatError = "its entries do not match their checksum"
	errOrder         formatError = "its entries are not sorted by key"
)

// formatError says a file is not as this package writes it.
type formatError string

func (e formatError) Error() string { return string(e) }

// parseHeader reads b, the first headerSize bytes of a file, and checks
// that it is a file of kind magic written for settings.
func parseHeader(b []byte, magic [8]byte, settings [32]byte) (header, error) {
	var h header
	if len(b) < headerSize {
		return h, errShort
	}
	copy(h.magic[:], b)
	if h.magic != magic {
		return h, errMagic
	}
	if v := binary.BigEndian.Uint32(b[8:]); v != formatVersion {
		return h, formatError(fmt.Sprintf("format version %d, this hubsync reads version %d", v, formatVersion))
	}
	if n := binary.BigEndian.Uint32(b[12:]); n != entrySize {
		return h, formatError(fmt.Sprintf("entry size %d, want %d", n, entrySize))
	}
	h.count = binary.BigEndian.Uint64(b[16:])
	h.crc = binary.BigEndian.Uint32(b[24:])
	copy(h.settings[:], b[32:])
	if !bytes.Equal(h.settings[:], settings[:]) {
		return h, errOtherSettings
	}
	return h, nil
}

// DamagedError says a file of a target's state cannot be used. An
// unreadable state must never make a record look unchanged, and guessing
// would do just that, so the run stops and says how to start afresh.
type DamagedError struct {
	ID   string // the target, as List shows it
	Path string
	Err  error
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("sync state %s is damaged: %s: %v; run `hubsync state reset %s` to drop it (the next run then sends every record)", e.ID, e.Path, e.Err, e.ID)
}

func (e *DamagedError) Unwrap() error { return e.Err }
