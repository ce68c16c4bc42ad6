// Package filecrypt implements visitarchive.FileSealer with DARE 2.0, the
// streaming authenticated encryption of github.com/minio/sio: the plain
// bytes are cut into packages of 64 KiB, each sealed on its own (AES-256-GCM,
// or ChaCha20-Poly1305 on a processor without AES instructions) with a
// 16-byte header (version, cipher, length, a nonce random per stream) and a
// 16-byte tag, the package's sequence number folded into its nonce and the
// last package marked final. So a file is encrypted and decrypted as it
// streams, in constant memory, and a range of it is read from the package
// that holds its first byte, without those before it; a package that was
// altered, moved, dropped or cut short, or a stream sealed under another
// key, fails to decrypt (visitarchive.Integrity).
//
// The sealed size of n plain bytes is n plus 32 bytes per package begun:
// 0.05% more.
//
// The key comes from the caller: the archive derives one per file from
// the data key of the record it belongs to (see the root package's
// archive_attachments.go), so that destroying the data key leaves every
// file of the record unreadable.
package filecrypt
