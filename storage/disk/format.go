package disk

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage"
)

// The header layout is documented in the package comment.
const (
	headerLen = 128
	magic     = "visitarchive object v1\n"
)

func encodeHeader(sha string, size int64) []byte {
	h := fmt.Appendf(make([]byte, 0, headerLen), "%ssha256 %s\nsize %020d\n", magic, sha, size)
	for len(h) < headerLen {
		h = append(h, '\n')
	}
	return h
}

// decodeHeader parses h and accepts it only if it re-encodes to the same
// bytes: any damaged byte in the header is caught, not just a bad field.
func decodeHeader(h []byte) (sha string, size int64, ok bool) {
	const shaAt, sizeAt = len(magic) + len("sha256 "), len(magic) + len("sha256 ") + 64 + len("\nsize ")
	if len(h) != headerLen {
		return "", 0, false
	}
	sha = string(h[shaAt : shaAt+64])
	size, err := strconv.ParseInt(string(h[sizeAt:sizeAt+20]), 10, 64)
	if _, herr := hex.DecodeString(sha); err != nil || herr != nil || size < 0 {
		return "", 0, false
	}
	if string(encodeHeader(sha, size)) != string(h) {
		return "", 0, false
	}
	return sha, size, true
}

// readHeader reads the header of the object file f, leaving f at the start
// of the body, and returns the info it records.
func readHeader(op, key string, f *os.File) (visitarchive.ObjectInfo, error) {
	st, err := f.Stat()
	if err != nil {
		return visitarchive.ObjectInfo{}, ioError(op, key, err)
	}
	if !st.Mode().IsRegular() {
		return visitarchive.ObjectInfo{}, visitarchive.E(op, visitarchive.NotFound, nil, "no object %s", key)
	}
	h := make([]byte, headerLen)
	if _, err := io.ReadFull(f, h); err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return visitarchive.ObjectInfo{}, ioError(op, key, err)
	}
	sha, size, ok := decodeHeader(h)
	if !ok {
		return visitarchive.ObjectInfo{}, visitarchive.E(op, visitarchive.Integrity,
			fmt.Errorf("%s: bad header", key), "stored object %s is damaged", key)
	}
	return visitarchive.ObjectInfo{Key: key, Size: size, SHA256: sha, Modified: st.ModTime()}, nil
}

// temp is a finished temporary file, ready to be linked under its key.
type temp struct {
	path string
	info visitarchive.ObjectInfo
}

// writeTemp streams r into a new temporary file behind a reserved header,
// then fills in the header. With sync it also fsyncs the file. On failure
// nothing is left behind.
func (s *Store) writeTemp(ctx context.Context, key string, r io.Reader, size int64, sync bool) (t *temp, err error) {
	const op = "disk.put"
	f, err := os.CreateTemp(s.tmp(), "put-*")
	if err != nil {
		return nil, ioError(op, key, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = ioError(op, key, cerr)
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Seek(headerLen, io.SeekStart); err != nil {
		return nil, ioError(op, key, err)
	}
	n, sha, err := storage.CopyBody(ctx, f, r, size)
	if err != nil {
		return nil, err
	}
	return finishTemp(f, key, sha, n, sync)
}

func finishTemp(f *os.File, key, sha string, n int64, sync bool) (*temp, error) {
	const op = "disk.put"
	if _, err := f.WriteAt(encodeHeader(sha, n), 0); err != nil {
		return nil, ioError(op, key, err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			return nil, ioError(op, key, err)
		}
	}
	st, err := f.Stat()
	if err != nil {
		return nil, ioError(op, key, err)
	}
	info := visitarchive.ObjectInfo{Key: key, Size: n, SHA256: sha, Modified: st.ModTime()}
	return &temp{path: f.Name(), info: info}, nil
}
