package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/visitarchive/visitarchive"
)

// CopyBody copies r to w while hashing it, and returns the number of bytes
// and their SHA-256 in lower-case hex. When size is not -1 the body must be
// exactly size bytes: a shorter or longer body is Invalid, so that a
// truncated upload is never stored as if it were whole. CopyBody stops
// early when ctx is done.
func CopyBody(ctx context.Context, w io.Writer, r io.Reader, size int64) (int64, string, error) {
	const op = "storage.put"
	src := io.Reader(ctxReader{ctx, r})
	if size >= 0 {
		src = io.LimitReader(src, size+1) // one byte more reveals a long body
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), src)
	if err != nil {
		return n, "", readError(op, err)
	}
	if size >= 0 && n != size {
		return n, "", visitarchive.E(op, visitarchive.Invalid, nil,
			"body is not the declared %d bytes", size)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// readError classifies a failure while copying a body. An error that
// already has a kind (a size limit upstream, a store error) keeps it.
func readError(op string, err error) error {
	var e *visitarchive.Error
	switch {
	case errors.As(err, &e):
		return fmt.Errorf("%s: %w", op, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return visitarchive.E(op, visitarchive.Unavailable, err, "request ended before the object was stored")
	default:
		return visitarchive.E(op, visitarchive.Internal, err, "cannot store object")
	}
}

// ctxReader ends a copy as soon as its context is done, so that a
// cancelled request does not keep streaming a large body to storage.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// NewVerifier returns a reader over rc that hashes what it reads and, at
// the end of rc, checks the byte count against size and the hash against
// sha256Hex. On a mismatch it returns an Integrity error instead of io.EOF,
// and keeps returning it. Closing it closes rc.
func NewVerifier(key string, rc io.ReadCloser, size int64, sha256Hex string) io.ReadCloser {
	return &verifier{rc: rc, h: sha256.New(), key: key, size: size, want: sha256Hex}
}

type verifier struct {
	rc   io.ReadCloser
	h    hash.Hash
	key  string
	n    int64
	size int64
	want string
	err  error // sticky: once the end is checked, the answer stays
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if err == io.EOF {
		err = v.check()
	}
	if err != nil {
		v.err = err
	}
	return n, err
}

func (v *verifier) check() error {
	const op = "storage.get"
	if v.n != v.size {
		return visitarchive.E(op, visitarchive.Integrity,
			fmt.Errorf("%s: read %d bytes, recorded size %d", v.key, v.n, v.size),
			"stored object %s is damaged", v.key)
	}
	if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
		return visitarchive.E(op, visitarchive.Integrity,
			fmt.Errorf("%s: sha256 %s, recorded %s", v.key, got, v.want),
			"stored object %s is damaged", v.key)
	}
	return io.EOF
}

func (v *verifier) Close() error { return v.rc.Close() }
