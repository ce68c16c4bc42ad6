// Package s3 is the visitarchive.Store on S3, through minio-go: MinIO in
// production, and any S3-compatible store that supports conditional writes
// (If-None-Match: *).
//
// Each key is one object named Prefix+key in the bucket. The SHA-256 of the
// body is recorded at write as the user metadata X-Amz-Meta-Va-Sha256, and
// Get checks it when the body has been read to the end. S3 needs metadata
// before the body, so Put hashes first: a body of known size up to 8 MiB
// (of unknown size, up to 1 MiB) is buffered in memory; a larger one is
// spooled to a temporary file while hashing, then uploaded in 16 MiB parts
// read straight from the file, so memory stays bounded whatever the size.
// An object of one part goes up in one PUT signed with its SHA-256
// (X-Amz-Content-Sha256), which the server checks against the body.
//
// Put is create-only through a conditional write: an existing key answers
// 412 Precondition Failed, which becomes a Conflict; the server decides, so
// of several concurrent writers of one key exactly one wins.
//
// With Config.ObjectLocking the bucket has S3 Object Lock (and therefore
// versioning). Delete removes the current version of a key; an object
// under retention or legal hold cannot be removed and Delete answers
// Forbidden. This is real WORM only on a store that enforces object lock,
// such as MinIO.
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage"
)

// Config says where the store is and how to reach it.
type Config struct {
	Endpoint  string // host:port, without scheme
	AccessKey string
	SecretKey string
	Bucket    string
	Region    string // "" lets the client discover it
	UseSSL    bool

	// CreateBucket creates the bucket when it does not exist, with
	// ObjectLocking as set below.
	CreateBucket bool
	// ObjectLocking requires the bucket to have S3 Object Lock. It can be
	// turned on only when the bucket is created; Open fails when an
	// existing bucket lacks it.
	ObjectLocking bool
	// RetentionMode is the mode of the retentions the Store sets (see
	// lock.go): "GOVERNANCE" (the default, also for "") or "COMPLIANCE".
	RetentionMode string
	// Prefix, when set, is put before every key, so that several stores can
	// share a bucket. It follows the key rules; a final "/" is added.
	Prefix string
	// TempDir is where large bodies are spooled before upload; "" is the
	// system default. It must not be a RAM disk if large objects are put.
	TempDir string
}

const (
	metaSHA256 = "Va-Sha256"      // X-Amz-Meta-Va-Sha256 on the wire
	headMax    = 1 << 20          // bodies of unknown size up to this are hashed in memory
	inlineMax  = 8 << 20          // bodies of known size up to this are hashed in memory
	partSize   = 16 << 20         // multipart part size: up to 156 GiB in 10,000 parts
	maxRetries = 3                // the client default (10) makes an outage slow to report
	opTimeout  = 30 * time.Second // for Open's bucket checks only
)

// Store is a visitarchive.Store in an S3 bucket. It is safe for concurrent
// use, also by several processes and machines.
type Store struct {
	c       *minio.Client
	bucket  string
	prefix  string
	tempDir string
	locking bool                // the bucket has object lock: a LockingStore
	mode    minio.RetentionMode // of the retentions it sets
}

var _ visitarchive.Store = (*Store)(nil)

// Open connects to the store described by cfg and checks its bucket,
// creating it when cfg.CreateBucket is set. An unreachable server is
// Unavailable; a bad configuration is Invalid.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	const op = "s3.open"
	prefix, err := cleanPrefix(cfg.Prefix)
	if err != nil {
		return nil, err
	}
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, visitarchive.E(op, visitarchive.Invalid, nil, "S3 endpoint and bucket are required")
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     cfg.UseSSL,
		Region:     cfg.Region,
		MaxRetries: maxRetries,
	})
	if err != nil {
		return nil, visitarchive.E(op, visitarchive.Invalid, err, "bad S3 endpoint %q", cfg.Endpoint)
	}
	mode, err := retentionMode(cfg.RetentionMode)
	if err != nil {
		return nil, err
	}
	s := &Store{c: c, bucket: cfg.Bucket, prefix: prefix, tempDir: cfg.TempDir, locking: cfg.ObjectLocking, mode: mode}
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	if err := s.ensureBucket(ctx, cfg); err != nil {
		return nil, err
	}
	return s, nil
}

func cleanPrefix(p string) (string, error) {
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return "", nil
	}
	if err := storage.ValidKey(p); err != nil {
		return "", visitarchive.E("s3.open", visitarchive.Invalid, err, "bad S3 prefix %q", p)
	}
	return p + "/", nil
}

// Client returns the underlying minio-go client, for what the Store
// interface does not cover (legal holds, retention, tests that tamper).
func (s *Store) Client() *minio.Client { return s.c }

// Bucket returns the bucket the store uses.
func (s *Store) Bucket() string { return s.bucket }

// ObjectName returns the name in the bucket of key.
func (s *Store) ObjectName(key string) string { return s.prefix + key }

// Put implements visitarchive.Store.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) (visitarchive.ObjectInfo, error) {
	const op = "s3.put"
	if err := storage.ValidKey(key); err != nil {
		return visitarchive.ObjectInfo{}, err
	}
	// Spare spooling a large body that is sure to conflict; the
	// conditional write stays the authoritative check.
	absent := func() error {
		if _, err := s.Stat(ctx, key); err == nil {
			return translate(op, key, errExists)
		}
		return nil
	}
	b, err := spool(ctx, r, size, s.tempDir, absent)
	if err != nil {
		return visitarchive.ObjectInfo{}, err
	}
	defer b.Close()
	return s.upload(ctx, key, b)
}

func (s *Store) upload(ctx context.Context, key string, b *body) (visitarchive.ObjectInfo, error) {
	opts := minio.PutObjectOptions{
		UserMetadata: map[string]string{metaSHA256: b.sha},
		ContentType:  "application/octet-stream",
		PartSize:     partSize,
	}
	opts.SetMatchETagExcept("*") // If-None-Match: *, the create-only check
	var up minio.UploadInfo
	var err error
	if b.n <= partSize {
		// One PUT whose signature covers the SHA-256 of the body: the
		// server refuses a body that differs from the hash recorded for
		// it, and nothing is signed again chunk by chunk.
		opts.DisableContentSha256 = true
		up, err = minio.Core{Client: s.c}.PutObject(ctx, s.bucket, s.ObjectName(key), b.r, b.n, "", b.sha, opts)
	} else {
		up, err = s.c.PutObject(ctx, s.bucket, s.ObjectName(key), b.r, b.n, opts)
	}
	if err != nil {
		return visitarchive.ObjectInfo{}, translate("s3.put", key, err)
	}
	mod := up.LastModified
	if mod.IsZero() {
		mod = time.Now() // S3 does not answer a PUT with the time it stored
	}
	return visitarchive.ObjectInfo{Key: key, Size: b.n, SHA256: b.sha, Modified: mod}, nil
}

// Get implements visitarchive.Store.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, visitarchive.ObjectInfo, error) {
	const op = "s3.get"
	if err := storage.ValidKey(key); err != nil {
		return nil, visitarchive.ObjectInfo{}, err
	}
	obj, err := s.c.GetObject(ctx, s.bucket, s.ObjectName(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, visitarchive.ObjectInfo{}, translate(op, key, err)
	}
	st, err := obj.Stat() // sends the GET; the body follows on Read
	if err != nil {
		obj.Close()
		return nil, visitarchive.ObjectInfo{}, translate(op, key, err)
	}
	info, err := s.info(op, key, st.Size, st.LastModified, st.UserMetadata)
	if err != nil {
		obj.Close()
		return nil, visitarchive.ObjectInfo{}, err
	}
	rc := storage.NewVerifier(key, objectReader{obj, key}, info.Size, info.SHA256)
	return rc, info, nil
}

// GetRange implements visitarchive.RangeStore.
func (s *Store) GetRange(ctx context.Context, key string, offset int64) (io.ReadCloser, error) {
	const op = "s3.getrange"
	if err := storage.ValidKey(key); err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, visitarchive.E(op, visitarchive.Invalid, nil, "negative offset %d", offset)
	}
	var opts minio.GetObjectOptions
	if offset > 0 {
		if err := opts.SetRange(offset, 0); err != nil {
			return nil, visitarchive.E(op, visitarchive.Internal, err, "storage failed")
		}
	}
	obj, err := s.c.GetObject(ctx, s.bucket, s.ObjectName(key), opts)
	if err != nil {
		return nil, translate(op, key, err)
	}
	if _, err := obj.Stat(); err != nil { // sends the GET
		obj.Close()
		var resp minio.ErrorResponse
		if errors.As(err, &resp) && resp.Code == "InvalidRange" {
			// At or past the end: nothing is left to read.
			return io.NopCloser(bytes.NewReader(nil)), nil
		}
		return nil, translate(op, key, err)
	}
	return objectReader{obj, key}, nil
}

// objectReader gives read errors of a body in flight their kind.
type objectReader struct {
	*minio.Object
	key string
}

func (o objectReader) Read(p []byte) (int, error) {
	n, err := o.Object.Read(p)
	if err != nil && err != io.EOF {
		err = translate("s3.get", o.key, err)
	}
	return n, err
}

// Stat implements visitarchive.Store.
func (s *Store) Stat(ctx context.Context, key string) (visitarchive.ObjectInfo, error) {
	const op = "s3.stat"
	if err := storage.ValidKey(key); err != nil {
		return visitarchive.ObjectInfo{}, err
	}
	st, err := s.c.StatObject(ctx, s.bucket, s.ObjectName(key), minio.StatObjectOptions{})
	if err != nil {
		return visitarchive.ObjectInfo{}, translate(op, key, err)
	}
	return s.info(op, key, st.Size, st.LastModified, st.UserMetadata)
}

// info builds the ObjectInfo of key from what S3 reports. An object with
// no recorded SHA-256 was not written by a Store and cannot be verified.
func (s *Store) info(op, key string, size int64, mod time.Time, meta map[string]string) (visitarchive.ObjectInfo, error) {
	sha := meta[metaSHA256]
	if len(sha) != 64 {
		return visitarchive.ObjectInfo{Key: key}, visitarchive.E(op, visitarchive.Integrity,
			fmt.Errorf("%s: no %s metadata", key, metaSHA256), "stored object %s has no recorded SHA-256", key)
	}
	return visitarchive.ObjectInfo{Key: key, Size: size, SHA256: sha, Modified: mod}, nil
}

// List implements visitarchive.Store. S3 lists keys in byte order. MinIO
// returns the metadata with the listing; other servers cost one HEAD per
// object. An object without a recorded SHA-256 is yielded with its key and
// an Integrity error; a caller may resume with after set to it.
func (s *Store) List(ctx context.Context, prefix, after string) iter.Seq2[visitarchive.ObjectInfo, error] {
	return func(yield func(visitarchive.ObjectInfo, error) bool) {
		if err := storage.ValidPrefix(prefix); err != nil {
			yield(visitarchive.ObjectInfo{}, err)
			return
		}
		ctx, cancel := context.WithCancel(ctx) // stops the lister on break
		defer cancel()
		opts := minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true, WithMetadata: true}
		if after != "" {
			opts.StartAfter = s.prefix + after
		}
		for o := range s.c.ListObjectsIter(ctx, s.bucket, opts) {
			info, err := s.listed(ctx, o)
			if !yield(info, err) || err != nil {
				return
			}
		}
	}
}

func (s *Store) listed(ctx context.Context, o minio.ObjectInfo) (visitarchive.ObjectInfo, error) {
	if o.Err != nil {
		return visitarchive.ObjectInfo{}, translate("s3.list", "", o.Err)
	}
	key := strings.TrimPrefix(o.Key, s.prefix)
	if o.UserMetadataStripped[metaSHA256] == "" {
		return s.Stat(ctx, key)
	}
	return s.info("s3.list", key, o.Size, o.LastModified, o.UserMetadataStripped)
}

// Delete implements visitarchive.Store. It removes the current version of
// key by its version id: on a versioned bucket a plain delete would only
// hide the object behind a delete marker.
func (s *Store) Delete(ctx context.Context, key string) error {
	const op = "s3.delete"
	if err := storage.ValidKey(key); err != nil {
		return err
	}
	st, err := s.c.StatObject(ctx, s.bucket, s.ObjectName(key), minio.StatObjectOptions{})
	if err != nil {
		return translate(op, key, err)
	}
	err = s.c.RemoveObject(ctx, s.bucket, s.ObjectName(key), minio.RemoveObjectOptions{VersionID: st.VersionID})
	if err != nil {
		return deleteError(op, key, err)
	}
	return nil
}
