package s3_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/s3"
	"github.com/visitarchive/visitarchive/storage/s3/s3test"
	"github.com/visitarchive/visitarchive/storage/storagetest"
)

func TestMain(m *testing.M) { s3test.Main(m) }

// newStore opens a store on a new bucket of the test MinIO.
func newStore(tb testing.TB) visitarchive.Store { return s3test.Open(tb, false) }

// The store is no visitarchive.BatchStore: the suite skips BenchmarkPutBatch.
func BenchmarkPut(b *testing.B)      { storagetest.BenchmarkPut(b, newStore) }
func BenchmarkPutBatch(b *testing.B) { storagetest.BenchmarkPutBatch(b, newStore) }

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) visitarchive.Store {
		return s3test.Open(t, false)
	}, storagetest.Options{Corrupt: corrupt})
}

// On an object-lock bucket versioning is on, which changes what delete and
// conditional writes do underneath; the behaviour must not change.
func TestConformanceObjectLock(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) visitarchive.Store {
		return s3test.Open(t, true)
	}, storagetest.Options{Corrupt: corrupt})
}

// corrupt overwrites the object with one changed byte, keeping the SHA-256
// metadata of the original, as tampering with the bucket directly would.
func corrupt(t *testing.T, s visitarchive.Store, key string) {
	st := s.(*s3.Store)
	c, name := st.Client(), st.ObjectName(key)
	obj, err := c.GetObject(t.Context(), st.Bucket(), name, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	info, err := obj.Stat()
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(obj)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	_, err = c.PutObject(t.Context(), st.Bucket(), name, bytes.NewReader(b), int64(len(b)),
		minio.PutObjectOptions{UserMetadata: info.UserMetadata})
	if err != nil {
		t.Fatal(err)
	}
}

func wantKind(t *testing.T, what string, err error, k visitarchive.Kind) {
	t.Helper()
	if !visitarchive.IsKind(err, k) {
		t.Errorf("%s: got %v, want kind %v", what, err, k)
	}
}

func TestObjectLockBucket(t *testing.T) {
	st := s3test.Open(t, true)
	c, ctx := st.Client(), t.Context()
	lock, _, _, _, err := c.GetObjectLockConfig(ctx, st.Bucket())
	if err != nil || lock != "Enabled" {
		t.Fatalf("object lock: %q, %v; want Enabled", lock, err)
	}
	if v, err := c.GetBucketVersioning(ctx, st.Bucket()); err != nil || !v.Enabled() {
		t.Fatalf("versioning: %+v, %v; want enabled", v, err)
	}
	if _, err := st.Put(ctx, "held/1", strings.NewReader("evidence"), 8); err != nil {
		t.Fatal(err)
	}
	on, off := minio.LegalHoldEnabled, minio.LegalHoldDisabled
	hold := func(s *minio.LegalHoldStatus) {
		t.Helper()
		err := c.PutObjectLegalHold(ctx, st.Bucket(), st.ObjectName("held/1"), minio.PutObjectLegalHoldOptions{Status: s})
		if err != nil {
			t.Fatal(err)
		}
	}
	hold(&on)
	wantKind(t, "Delete under legal hold", st.Delete(ctx, "held/1"), visitarchive.Forbidden)
	if _, err := st.Stat(ctx, "held/1"); err != nil {
		t.Errorf("Stat after refused Delete: %v", err)
	}
	hold(&off)
	if err := st.Delete(ctx, "held/1"); err != nil {
		t.Errorf("Delete after releasing the hold: %v", err)
	}
}

// Object lock can only be set when a bucket is created: asking for it on
// a bucket without it must fail, not quietly run without WORM.
func TestObjectLockMissing(t *testing.T) {
	cfg := s3test.Config(t, false)
	if _, err := s3.Open(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	cfg.ObjectLocking = true
	_, err := s3.Open(t.Context(), cfg)
	wantKind(t, "Open with ObjectLocking on a plain bucket", err, visitarchive.Invalid)
}

func TestOpenErrors(t *testing.T) {
	cfg := s3test.Config(t, false)
	cfg.CreateBucket = false
	_, err := s3.Open(t.Context(), cfg)
	wantKind(t, "missing bucket", err, visitarchive.Unavailable)

	cfg = s3test.Config(t, false)
	cfg.SecretKey = "wrong-secret"
	_, err = s3.Open(t.Context(), cfg)
	wantKind(t, "wrong credentials", err, visitarchive.Unavailable)

	cfg = s3test.Config(t, false)
	cfg.Endpoint = closedPort(t)
	_, err = s3.Open(t.Context(), cfg)
	wantKind(t, "unreachable server", err, visitarchive.Unavailable)

	cfg = s3test.Config(t, false)
	cfg.Prefix = "../up"
	_, err = s3.Open(t.Context(), cfg)
	wantKind(t, "bad prefix", err, visitarchive.Invalid)
}

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Two stores with different prefixes share a bucket without seeing each
// other's objects.
func TestPrefix(t *testing.T) {
	cfg := s3test.Config(t, false)
	cfg.Prefix = "tenant-a"
	a, err := s3.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Prefix = "tenant-b/"
	b, err := s3.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []*s3.Store{a, b} {
		if _, err := st.Put(t.Context(), "records/R1/0000000001.json", strings.NewReader("x"), 1); err != nil {
			t.Fatal(err)
		}
	}
	if got := a.ObjectName("k"); got != "tenant-a/k" {
		t.Errorf("ObjectName: %q, want tenant-a/k", got)
	}
	var keys []string
	for info, err := range b.List(t.Context(), "", "") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, info.Key)
	}
	if len(keys) != 1 || keys[0] != "records/R1/0000000001.json" {
		t.Errorf("List of tenant-b: %q", keys)
	}
}

// Bodies spooled to disk for hashing are removed, whether the upload
// succeeds or conflicts.
func TestSpoolRemoved(t *testing.T) {
	cfg := s3test.Config(t, false)
	st, err := s3.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 600_000) // 9.6 MB, over the in-memory limit
	for range 2 {                                            // the second Put conflicts
		st.Put(t.Context(), "big/1", bytes.NewReader(big), -1)
		st.Put(t.Context(), "big/2", bytes.NewReader(big), int64(len(big)))
	}
	if entries, _ := os.ReadDir(cfg.TempDir); len(entries) != 0 {
		t.Errorf("%d spool files left in %s", len(entries), cfg.TempDir)
	}
}

// The signature of a PUT covers the SHA-256 recorded for the body, so the
// server refuses a body that does not match it and stores nothing.
func TestServerChecksRecordedHash(t *testing.T) {
	st := s3test.Open(t, true)
	other := sha256.Sum256([]byte("the body the hash was taken of"))
	err := st.PutWithSHA256(t.Context(), "records/R1/0000000001.json", []byte("another body"), hex.EncodeToString(other[:]))
	if err == nil {
		t.Fatal("a body that differs from its recorded SHA-256 was stored")
	}
	if _, err := st.Stat(t.Context(), "records/R1/0000000001.json"); !visitarchive.IsKind(err, visitarchive.NotFound) {
		t.Fatalf("after the refused put, Stat = %v, want NotFound", err)
	}
}
