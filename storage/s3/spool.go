package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage"
)

// body is a Put body that has been hashed and can be uploaded with its
// size, from memory or from a temporary file.
type body struct {
	r   io.Reader // a *bytes.Reader or an *os.File at offset 0
	n   int64
	sha string
	f   *os.File // the spool file, removed by Close
}

func (b *body) Close() {
	if b.f != nil {
		b.f.Close()
		os.Remove(b.f.Name())
	}
}

// spool hashes the body of r so that its SHA-256 can go in the metadata,
// which S3 needs before the body. Small bodies stay in memory; the rest go
// to a temporary file in dir, so memory does not grow with the object.
// Before spooling to a file it calls precheck, which may refuse the body.
func spool(ctx context.Context, r io.Reader, size int64, dir string, precheck func() error) (*body, error) {
	if size >= 0 && size <= inlineMax {
		return inline(ctx, r, size)
	}
	if size < 0 {
		// Most bodies of unknown size are small: read up to headMax, and
		// spool only when there is more. headMax is below inlineMax
		// because a buffer that grows by doubling leaves garbage of about
		// twice its size.
		var head bytes.Buffer
		n, sha, err := storage.CopyBody(ctx, &head, io.LimitReader(r, headMax+1), -1)
		if err != nil {
			return nil, err
		}
		if n <= headMax {
			return &body{r: bytes.NewReader(head.Bytes()), n: n, sha: sha}, nil
		}
		r = io.MultiReader(&head, r)
	}
	if err := precheck(); err != nil {
		return nil, err
	}
	return toFile(ctx, r, size, dir)
}

func inline(ctx context.Context, r io.Reader, size int64) (*body, error) {
	buf := bytes.NewBuffer(make([]byte, 0, size))
	n, sha, err := storage.CopyBody(ctx, buf, r, size)
	if err != nil {
		return nil, err
	}
	return &body{r: bytes.NewReader(buf.Bytes()), n: n, sha: sha}, nil
}

func toFile(ctx context.Context, r io.Reader, size int64, dir string) (*body, error) {
	const op = "s3.put"
	f, err := os.CreateTemp(dir, "visitarchive-s3-*")
	if err != nil {
		return nil, visitarchive.E(op, visitarchive.Internal, err, "cannot spool object")
	}
	b := &body{r: f, f: f}
	b.n, b.sha, err = storage.CopyBody(ctx, f, r, size)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		b.Close()
		return nil, spoolError(op, err)
	}
	return b, nil
}

func spoolError(op string, err error) error {
	var e *visitarchive.Error
	if errors.As(err, &e) {
		return err
	}
	return visitarchive.E(op, visitarchive.Internal, err, "cannot spool object")
}
