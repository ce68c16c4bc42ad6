// Package backup copies the store to a backup target and rebuilds a store
// from one. The target is any visitarchive.Store: a directory (the disk
// backend) or an S3 bucket under a prefix.
//
// # Backup
//
// A pass is driven by the journal. The target's newest manifest says up to
// which entry the last pass went (To, with that entry's hash, which must
// be the store's: a target of another store is refused). The pass reads
// the entries after it up to the head and copies to the target, under the
// same keys:
//
//   - every object an entry wrote that no later entry removed, its
//     SHA-256 checked against the one the entry recorded;
//   - the journal entries themselves, and the checkpoints among them.
//
// Each copy is read back from the target and its SHA-256 checked; an
// object the target holds already with the right content (from a pass
// that failed part way) is not copied again, and one with other content
// is replaced. Then every object whose removal an entry recorded (a
// record's destruction, a destroyed data key, an unrecorded object or an
// expired session removed) is deleted from the target, so that nothing
// destroyed in the store stays readable in its backup. Last, the manifest
// (Manifest: the entries, the counts, the list of files with their hashes
// and the hash of that list) is written to the target as
// backups/<To:020d>.json, read back, written to the store under the same
// key and journaled there as backup.done; that entry goes to the target
// with the next pass. A pass that fails writes no manifest: the next one
// starts from the last manifest again and finds in place what was copied.
// Earlier manifests stay as they are: they hold hashes, never content.
//
// # Restore
//
// Restore rebuilds an empty store from a target up to its last manifest:
// it reads the target's journal, checking each entry's hash and its link
// to the one before, and the hash of the manifest's last entry; it writes
// every object an entry wrote and no entry removed, each one's SHA-256
// checked against the journal (a mismatch stops it, naming the object),
// then the entries and the checkpoints; then it compares every file of
// every manifest with what it restored. An object whose removal the
// journal recorded is never written, even when the target still held it.
// The key file of the encrypted fields is not in the store, nor in the
// backup: the operator restores it from a copy of their own.
//
// # In the server
//
// Backuper runs the passes of serve one at a time: on a schedule
// (RunBackup, the retention.Backups job) and within seconds of a
// destruction (RunAfterDestruction, the retention.BackupAfterDestruction
// job). It keeps the outcome of the passes (visitarchive.BackupReporter,
// which /readyz and GET /api/v1/audit/backups show) and exports these
// series on /metrics:
//
//	visitarchive_backup_last_success_timestamp_seconds  when the last successful pass ended
//	visitarchive_backup_last_sequence                   the journal entry it reached
//	visitarchive_backup_last_objects                    the objects it copied
//	visitarchive_backup_last_bytes                      the bytes it copied
//	visitarchive_backup_failures_total                  the passes that failed
package backup
