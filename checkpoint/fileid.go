package checkpoint

import "os"

// FileID identifies a file on its file system (device and inode), whatever
// its name: a rename keeps it, a new file at the same path has another.
type FileID struct {
	Dev uint64 `json:"dev"`
	Ino uint64 `json:"ino"`
}

// IdentifyFile returns the identity of the file that info describes, or nil
// where the system gives none.
func IdentifyFile(info os.FileInfo) *FileID { return identify(info) }
