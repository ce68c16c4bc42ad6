// Package journal is the append-only, hash-chained log of every change to
// the store: the audit trail, the feed the index follows, and the basis of
// incremental backup.
//
// Entry n is the object journal/<n as 20 digits>.json, written create-only,
// so two writers (two processes, or two replicas) can never both take a
// sequence number: the loser re-reads the head and tries the next one.
// Each entry holds the changes it records, the hash of entry n-1 (Prev) and
// its own hash, the SHA-256 of its JSON encoding with Hash empty. Changing,
// removing or reordering any entry therefore breaks the chain at that point,
// and Verify reports it.
//
// Every thousand entries (WithCheckpointEvery), and whenever Checkpoint is
// called (the server does every minute and at shutdown, every command
// when it ends), the journal writes checkpoints/<n as 20 digits>.json
// holding the sequence number and hash of entry n. A checkpoint lets Open
// find the head without listing the whole journal, and lets Verify prove
// that no entries up to the last checkpoint were cut from the end. Entries
// after it are only as safe as the store (object lock on S3), or as a head
// hash an auditor keeps elsewhere; but the objects they recorded stay
// behind when they are cut, and Verify reports those as unrecorded.
//
// Appends group-commit: changes that arrive while an entry is being written
// go together into the next entry, so throughput does not fall to one
// object-store round trip per change.
package journal
