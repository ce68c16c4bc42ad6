package visitarchive

import (
	"context"
	"io"
	"iter"
	"time"
)

// ObjectInfo describes one stored object.
type ObjectInfo struct {
	Key      string    // the object key; the layout is in objectkeys.go
	Size     int64     // bytes
	SHA256   string    // lower-case hex of the content, recorded at write
	Modified time.Time // when the store wrote it
}

// Store holds immutable objects. It is the single source of truth: every
// other piece of state can be rebuilt from it. Keys are slash-separated
// paths of the characters [A-Za-z0-9._-], at most 512 bytes; no segment is
// empty, "." or "..", and no key is also the folder of other keys.
type Store interface {
	// Put creates key with the content of r (size bytes, or -1 when
	// unknown) and returns its info, SHA-256 included. When key already
	// exists it returns a Conflict error and leaves the object as it was;
	// of several concurrent Puts of one key exactly one succeeds. A Put that
	// fails leaves nothing visible. An invalid key is Invalid.
	Put(ctx context.Context, key string, r io.Reader, size int64) (ObjectInfo, error)

	// Get opens key for reading. A missing key is NotFound. Reading to EOF
	// checks the content against the SHA-256 recorded at write and returns
	// an Integrity error instead of io.EOF when they differ.
	Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error)

	// Stat returns the info of key, or NotFound.
	Stat(ctx context.Context, key string) (ObjectInfo, error)

	// List yields the objects whose keys start with prefix and sort after
	// after ("" for all), in byte order of their keys, with their size and
	// SHA-256. A damaged object is yielded as its key with an Integrity
	// error, so that a caller may go on after it; any other error ends the
	// listing.
	List(ctx context.Context, prefix, after string) iter.Seq2[ObjectInfo, error]

	// Delete removes key. A missing key is NotFound. On a store with
	// object locking, a locked object is Forbidden.
	Delete(ctx context.Context, key string) error
}

// RangeStore is a Store that reads an object from an offset without
// reading the bytes before it; attachments use it to serve a range of a
// large file. Both backends are RangeStores.
type RangeStore interface {
	Store

	// GetRange opens key for reading from byte offset on (at most its
	// size: then nothing is left to read). A missing key is NotFound.
	// Unlike Get it cannot check the content against its SHA-256, which
	// covers the whole object: the reader checks what it reads itself.
	GetRange(ctx context.Context, key string, offset int64) (io.ReadCloser, error)
}

// BatchStore is a Store that writes many objects faster together than one
// at a time; bulk imports use it when the store offers it. The disk store
// does, paying for durability once per batch instead of once per object.
type BatchStore interface {
	Store

	// PutBatch puts each object as Put would, create-only, and returns one
	// result per object in order. When it returns, every object whose
	// result has no error is durable; a crash before leaves each object
	// whole or absent.
	PutBatch(ctx context.Context, objs []PutObject) []PutResult
}

// PutObject is one object for PutBatch.
type PutObject struct {
	Key  string
	Body io.Reader
	Size int64 // -1 when unknown
}

// PutResult is the outcome of one object of PutBatch.
type PutResult struct {
	Info ObjectInfo
	Err  error // as Put would return it; Conflict when the key exists
}
