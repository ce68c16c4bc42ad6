// Package keyring keeps the master keys that wrap the per-object data keys
// of sensitive fields, and the key of the blind index, in one key file.
//
// Sensitive fields are encrypted under a data key of their own; the store
// keeps that data key only wrapped (AES-256-GCM) under a master key, as a
// visitarchive.WrappedKey naming the master key by id. Exact lookup of a
// sensitive value goes through a blind index: an HMAC-SHA256 of the
// normalized value under the blind key, stored in records and the search
// index instead of the value.
//
// # Key file
//
// One JSON object, written by Init and Rotate and never edited by hand:
//
//	{
//	  "format": "visitarchive-keyring/1",
//	  "current": "mk-20260301-9f3a1c2e",
//	  "master_keys": [
//	    {"id": "mk-20260301-9f3a1c2e", "key": "<base64 of 32 bytes>", "created": "2026-03-01T09:00:00Z"}
//	  ],
//	  "blind_key": "<base64 of 32 bytes>"
//	}
//
// format names this layout; Load refuses any other. current is the id of the
// master key that wraps new data keys and must be one of master_keys. Ids are
// "mk-", the creation date and 8 random hex digits, unique within the file.
// Keys are standard base64 of exactly 32 random bytes.
//
// The file has mode 0600, and Load refuses it when group or others may read
// it. It is written to a temporary file in the same directory, fsynced,
// renamed over the old one and the directory fsynced, so a crash leaves the
// old file or the new one, never a mix (and perhaps a ".keyring-*.tmp" of
// mode 0600 beside them, to delete). Init creates the file with link(2),
// which fails when the path exists: a key file is never overwritten. Rotate
// and Retire hold an flock on "<key file>.lock" while they read, change and
// write, so that two of them at once cannot drop each other's key.
//
// # Rotation
//
// Rotate adds a new master key and makes it current; new data keys are
// wrapped under it. The old master keys stay in the file, so that the data
// keys wrapped under them can still be unwrapped. Rotation re-wraps data
// keys (Unwrap, then Wrap under the current key): records and their
// ciphertext are not rewritten. Only when no wrapped key names an old master
// key may Retire remove it. The blind key never changes: its hashes are
// stored in records and the index, and a new one would orphan them all.
// A Keyring from Load keeps the keys it read. A server uses Open instead:
// its Live keyring looks at the file every few seconds and at once when it
// meets an unknown master key, so that a rotation by another process
// reaches it without a restart. Until it has looked, it may still wrap
// under the old current key, which stays valid; re-wrap once more before
// retiring that key.
//
// # Loss
//
// The key file is the only copy of the keys. Losing it makes every
// sensitive field unreadable and every blind hash unmatchable, for good.
// Back it up, separately from the data: never into the same bucket or
// backup set as the records, or one stolen backup discloses both.
//
// A *Keyring is immutable and safe for concurrent use. Its String,
// GoString, Format and LogValue print only key ids, so that %v or a log
// line of it cannot leak a key.
package keyring
