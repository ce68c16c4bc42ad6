package s3

import (
	"bytes"
	"context"
)

// PutWithSHA256 uploads data as Put does, but declares sha as its SHA-256,
// so that a test can send a body that differs from its recorded hash.
func (s *Store) PutWithSHA256(ctx context.Context, key string, data []byte, sha string) error {
	_, err := s.upload(ctx, key, &body{r: bytes.NewReader(data), n: int64(len(data)), sha: sha})
	return err
}
