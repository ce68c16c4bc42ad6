// Package storage holds what the storage backends share: the object-key
// layout, documented here, and the key rules both backends enforce. The
// backends are storage/disk (the embedded default) and storage/s3 (MinIO
// and any S3-compatible store); storage/storagetest is the conformance
// suite both pass, and storage/journal the hash-chained journal built on a
// visitarchive.Store.
//
// # Object keys
//
// Every piece of state is an immutable object; a change writes a new object
// and never replaces one. The keys are:
//
//	customers/<id>/<version:010d>.json    one version of a customer, JSON
//	records/<id>/<version:010d>.json      one version of a visit record, JSON
//	users/<name>/<version:010d>.json      one version of a user (with the password hash)
//	departments/<id>/<version:010d>.json  one version of a department
//	datakeys/records/<id>/<v:010d>.json   the data key of a record's sealed fields,
//	datakeys/customers/<id>/<v:010d>.json wrapped by a master key; a new version
//	                                      per master-key rotation; deleted to destroy
//	datakeys/<kind>/<id>/destroyed.json   the mark a destroyed data key leaves
//	sessions/<sha256 of token>.json       one sign-in; deleted at logout or, once expired, within the hour
//	tokens/<user>/<id>.json               one API token (its hash); deleted when revoked
//	plans/<id>/<version:010d>.json        one version of a visit plan
//	inbox/<user>/<id>.json                one notification in a user's inbox
//	inbox/<user>/<id>.read.json           the mark that it was read
//	annotations/<record>/<id>.json        a correction of an archived record
//	refcodes/<series>/<number:06d>.json   the claim of one reference-code number:
//	                                      series is <fonds>-KF-<year>-<period>-<area>
//	archiving/<record>/<version:010d>.json  the reservation of archiving that
//	                                      version to one archivist
//	notices/overdue/<record>.json         the mark that the overdue notice went out
//	intents/<id>.json                     the intent of an import batch: the objects it is
//	                                      writing and its deadline; removed once journaled,
//	                                      never itself journaled
//	journal/<seq:020d>.json               one hash-chained journal entry
//	checkpoints/<seq:020d>.json           a checkpoint of the journal head
//
// Customers and records hold their sensitive fields sealed (AES-256-GCM
// under their data key) in a "sealed" member, and records the keyed hashes
// of contact phone and e-mail in "blind"; neither is ever returned by the
// API. The master keys live outside the store, in the key file of
// storage/keyring.
//
// Versions and sequence numbers are zero-padded so that the byte order in
// which every backend lists keys is also their numeric order: the latest
// version of a record is the last key under records/<id>/, and the journal
// reads in order by listing journal/. Later issues add attachments/ and
// other top-level prefixes; a new prefix never nests inside an existing one.
//
// # Key rules
//
// A key is a slash-separated path of segments made of [A-Za-z0-9._-]. No
// segment is empty, "." or "..", so a key never starts or ends with a slash
// and never escapes the directory of the disk backend. A key is at most
// 512 bytes. No key may also be the "directory" of other keys ("a" and
// "a/b"): S3 allows it, a file system does not, and the layout never needs
// it. The rules keep keys safe as file names, in URLs and in every S3
// implementation. ValidKey checks them; ValidPrefix checks a List prefix.
package storage
