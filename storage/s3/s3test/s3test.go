// Package s3test gives tests a real MinIO server: one per test binary,
// started on first use on a free loopback port in a temporary directory
// with random root credentials, and a fresh bucket for every caller.
//
// Use it from any package's tests:
//
//	func TestMain(m *testing.M) { s3test.Main(m) } // stops MinIO at the end
//
//	func TestSomething(t *testing.T) {
//		store := s3test.Open(t, false) // *s3.Store on a new, empty bucket
//		...
//	}
//
// s3test.Config returns the s3.Config instead, for tests that open the
// store themselves.
//
// The server binary is $VISITARCHIVE_MINIO, else bin/minio at the module
// root (`make bin/minio` builds it), else minio on $PATH. When it is
// missing or does not start, the test is skipped with a message, or fails
// when the CI environment variable is set, so that CI never passes by
// skipping.
package s3test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/visitarchive/visitarchive/storage/s3"
)

var (
	once    sync.Once
	srv     *server
	srvErr  error
	buckets atomic.Int64
)

// Main runs the tests of m, stops the MinIO server they started, and
// exits. Call it from TestMain so that no server outlives the tests.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the MinIO server, if one was started, and removes its data.
// Main calls it; call it yourself from a TestMain that cannot use Main.
func Stop() {
	if srv != nil {
		srv.stop()
	}
}

// Config returns the configuration of a store on a new bucket of the
// shared MinIO server, with object lock when objectLocking is set. The
// bucket does not exist yet: CreateBucket is set, so s3.Open creates it.
func Config(t testing.TB, objectLocking bool) s3.Config {
	t.Helper()
	s := server1(t)
	return s3.Config{
		Endpoint:      s.endpoint,
		AccessKey:     s.user,
		SecretKey:     s.password,
		Bucket:        fmt.Sprintf("t%d-%s", buckets.Add(1), randomHex(4)),
		CreateBucket:  true,
		ObjectLocking: objectLocking,
		TempDir:       t.TempDir(),
	}
}

// Open opens a store on a new bucket of the shared MinIO server.
func Open(t testing.TB, objectLocking bool) *s3.Store {
	t.Helper()
	st, err := s3.Open(t.Context(), Config(t, objectLocking))
	if err != nil {
		t.Fatalf("s3test: opening a store: %v", err)
	}
	return st
}

// server1 returns the running server, starting it on first use.
func server1(t testing.TB) *server {
	t.Helper()
	once.Do(func() { srv, srvErr = start() })
	if srvErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("s3test: MinIO is required when CI is set: %v", srvErr)
		}
		t.Skipf("s3test: skipping, no MinIO: %v", srvErr)
	}
	return srv
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
