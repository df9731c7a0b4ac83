// Package syncstate keeps, per target, what HubSpot last confirmed for
// each record, so that a nightly load (--only-changed) sends only the
// records whose values changed.
//
// # Targets
//
// A target is a portal (HubSpot account), an object type, an id property
// and the settings that shape the values sent (mapping, --empty, ...):
// not the input file's name, since nightly files are often dated. Each
// target has its own folder in the state dir (DefaultDir, or --state-dir):
//
//	<portal>-<object>-<id property or "id">-<first 16 hex of the settings hash>/
//	    target.json  what the target is; its generation and last run
//	    state        the current generation: every confirmed record
//	    journal      confirmations of a run not folded into state yet
//	    lock         held by the run using the target
//
// Every byte of the parts but letters, digits and '_' is written %XX
// (a custom object "2-123" is "2%2D123"), so '-' only separates them.
// Other settings make another folder: two feeds that update different
// columns of the same records keep their own states, and a changed
// mapping starts afresh (OtherSettings lets the caller say so). When
// another target that writes some of the same properties ran since this
// one's last run began, this one's state is stale and its run sends
// every record (Stale; see stale.go).
//
// # Entries and files
//
// An Entry is 24 bytes: the key, the first 8 bytes of SHA-256 of the
// record's canonical id, and the fingerprint, the first 16 bytes of
// SHA-256 of the id as it goes on the wire and the property names and
// values as they go on the wire, sorted by name, each length-prefixed
// (see NewEntry). The key folds ids ("00123" and "123", "ABC" and "abc")
// so that rows HubSpot may apply to one record meet in one entry and are
// sent in file order; the fingerprint does not fold them, because with a
// string id property they are two records, and one's confirmed values
// must never make the other look unchanged. The state
// file is a 64-byte header (magic, version, entry size, entry count,
// CRC-32C of the entries, SHA-256 of the settings; see format.go) and then
// the entries sorted by key: 24 bytes a record, 240 MB at 10M records.
// The journal has the same header and then entries in the order HubSpot
// confirmed them.
//
// # Looking up without loading the state
//
// At 10M records the state is 240 MB; a map in the heap would take
// several times that, and a memory-mapped file counts its touched pages
// in the process's RSS. Yet a run must stay under 100 MiB RSS, flat from
// 1M to 10M records. So Open reads the state once, sequentially,
// checking its checksum and key order, and keeps only a fan-out index:
// for each bucket of keys (the top up to 20 bits of the key, about 8
// entries a bucket, 4 MiB at most) the index of its first entry. A
// lookup is one ReadAt of its bucket (about 240 bytes) and a binary
// search in it; the kernel's page cache, not the heap, holds the file.
//
// Two bitmaps over the state's entries, one bit each (2.5 MB at 10M),
// record the run: seen (the key was in this run's input; at Finish the
// entries not seen are counted as "not in this file") and sent (Changed
// returned true for the key: a later row with the same id is sent too,
// whatever its values, so that HubSpot ends with the last row's values).
// A key not in the state is always sent.
//
// # Intents, confirmations, the journal and the fold
//
// HubSpot may apply a batch whose answer never arrives (a kill, a lost
// connection, an unknown outcome), and a later file may then go back to
// the values the state holds: comparing with the state would skip it,
// and HubSpot would keep the values nobody confirmed. So before a batch
// is first sent, Intend appends a tombstone per record (its key and an
// all-zero fingerprint) to the journal and fsyncs it; Confirm appends
// the fingerprint HubSpot applied once it has. Among entries of one key
// the last wins, so a record confirmed after its intent has its values,
// and one never confirmed (dead-lettered, rejected, unknown outcome, or
// killed in flight) keeps the tombstone and is sent again next run. No
// record's fingerprint is zero: SHA-256 gives it with odds of 2^-128, and
// NewEntry changes a zero one (Changed also treats a zero as changed).
// Intends from several goroutines share fsyncs (group commit).
//
// Confirm appends to the journal (buffered); Sync flushes and fsyncs it,
// and the caller syncs before each checkpoint save, so the state is never
// behind the checkpoint. A torn last entry after a kill was never synced,
// so nothing relied on it and it is simply dropped: an intent dropped so
// is that of a batch not yet sent (Intend returns only once it is
// durable), a confirmation dropped so leaves its record's intent.
//
// Finish folds the journal into a new generation: the journal is read in
// runs of at most 1M entries (32 MiB of heap), each sorted by key keeping
// the key's last confirmation and written to a temporary file; the runs
// and the old state are merged (a k-way merge, container/heap) into a
// new state file beside the old one, which is fsynced and renamed over
// it, the directory fsynced (checkpoint.CreateAtomic); then the journal
// is removed. A journal entry wins over the state's, a later one over an
// earlier one. Folding a journal twice gives the same state, so a crash
// anywhere in a fold is safe; Open folds any journal an earlier run left
// (a crash, or a run that did not finish). A state or journal written for
// other settings is never merged.
//
// # Why 16 bytes of fingerprint
//
// A changed record is skipped wrongly only if its new values have the
// same 128-bit fingerprint as the old ones: 2^-128 ≈ 3e-39 a change.
// Ten years of 10M changed records a night are 3.7e10 changes, so the
// chance of a single wrong skip in them is about 1e-28. The 8-byte key
// may collide (about 3e-6 expected colliding pairs among 10M ids), but
// the fingerprint includes the id, so a collision only makes both
// records look changed: an extra send, never a wrong skip.
//
// # Refresh and full resync
//
// Someone may edit records in HubSpot by hand; the state cannot see that.
// RefreshEvery N also sends the unchanged records whose key % N equals
// the generation (finished runs) % N: a rotating 1/N, so every record is
// sent at least once in N finished runs. It is off (0) by default, so an
// unchanged night costs no request; 30 suits a nightly load where people
// edit records. FullResync sends every record; its confirmations merge
// over the old state as usual, and Reset drops a target's state whole.
//
// # Lock
//
// A run holds the target's lock (checkpoint.Lock, an flock that the
// kernel drops when the process dies, so a crash never leaves it stuck)
// from Open to Close; a second run gets a *checkpoint.LockedError. On a
// system without file locks Open refuses (ErrLockUnsupported): two runs
// folding over each other could keep an older confirmation over a newer
// one. Reset takes the lock too, renames the folder away (a ".deleting-"
// name that List and Open ignore) and only then removes it, so a run
// never opens a half-removed state. A ReadOnly store (a dry run) takes no lock and writes nothing; it reads
// an unfolded journal into memory instead of folding it (up to 1M
// entries). A larger one is left out, so the dry run compares with the
// state as it was before that journal: its count can then be off either
// way (a record the journal changed and the file changes back looks
// unchanged to it), which is why it is only an estimate.
//
// The package does no logging and starts no goroutines.
package syncstate
