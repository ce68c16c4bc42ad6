// Package storage holds what the storage backends share: the key rules
// both backends enforce. The object-key layout is documented once, where
// the keys are built: the root package's objectkeys.go. The
// backends are storage/disk (the embedded default) and storage/s3 (MinIO
// and any S3-compatible store); storage/storagetest is the conformance
// suite both pass, and storage/journal the hash-chained journal built on a
// visitarchive.Store.
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
