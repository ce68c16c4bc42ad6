package visitarchive

import (
	"fmt"
	"time"
)

// Backups (package backup): copies of the store, driven by the journal,
// kept in a target store apart from it. The domain keeps only what the
// server shows auditors and the key the backup journals.

// BackupsPrefix holds the manifests of backups: backups/<to:020d>.json
// is the manifest of the backup that took the journal up to entry to. The
// target holds every manifest; the store holds each one too, journaled
// as ActionBackupDone, so that the audit trail says what was backed up.
const BackupsPrefix = "backups/"

// ActionBackupDone journals a backup's manifest in the store it copied.
const ActionBackupDone = "backup.done"

// BackupManifestKey is the key of the manifest of the backup up to entry to.
func BackupManifestKey(to uint64) string { return fmt.Sprintf("%s%020d.json", BackupsPrefix, to) }

// BackupRun is the outcome of one backup pass, as auditors see it.
type BackupRun struct {
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`
	// From and To are the journal entries the pass covered: those after
	// From up to To.
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
	// Objects and Bytes are what the pass copied (journal entries
	// included); Present are the objects it found in the target already.
	Objects int   `json:"objects"`
	Bytes   int64 `json:"bytes"`
	Present int   `json:"present"`
	// Deleted are the objects it removed from the target because the
	// journal recorded their removal (a destruction, a destroyed data key).
	Deleted int `json:"deleted"`
	// Manifest is the key of the manifest it wrote; "" when it failed.
	Manifest string `json:"manifest,omitempty"`
	// Error says why it failed; "" when it succeeded.
	Error string `json:"error,omitempty"`
}

// BackupStatus is what a server that runs backups knows of them.
type BackupStatus struct {
	// Target is where the backups go, without credentials.
	Target string `json:"target"`
	// Every is the time between two scheduled passes.
	Every time.Duration `json:"every_ns"`
	// Last is the last pass, LastSuccess the last that succeeded; nil
	// before the first.
	Last        *BackupRun `json:"last,omitempty"`
	LastSuccess *BackupRun `json:"last_success,omitempty"`
	// Failures counts the passes that failed since the server started.
	Failures int `json:"failures"`
	// Recent are the passes since the server started, newest first (at
	// most a hundred).
	Recent []BackupRun `json:"recent"`
}

// BackupReporter tells the status of the backups; the backup package's
// Backuper implements it and the server shows it to auditors.
type BackupReporter interface {
	BackupStatus() BackupStatus
}
