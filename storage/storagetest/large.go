package storagetest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/visitarchive/visitarchive"
)

const (
	largeSize = 100 << 20 // ≥ 100 MB, generated, never held in memory
	chunkSize = 1 << 20
	maxHeap   = 64 << 20 // a backend may buffer parts, but not the object
)

// memWatch samples the live heap while an object streams, so that a
// backend that buffers the whole object is caught even if it frees it
// before returning.
type memWatch struct {
	base, peak uint64
}

func newMemWatch() *memWatch {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return &memWatch{base: m.HeapInuse, peak: m.HeapInuse}
}

func (w *memWatch) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w.peak = max(w.peak, m.HeapInuse)
}

func (w *memWatch) check(t *testing.T, what string) {
	t.Helper()
	w.sample()
	grew := int64(w.peak) - int64(w.base)
	t.Logf("%s: heap in use grew by at most %.1f MiB", what, float64(grew)/(1<<20))
	if grew > maxHeap {
		t.Errorf("%s: heap in use grew by %d MiB, want < %d MiB for a %d MiB object",
			what, grew>>20, maxHeap>>20, largeSize>>20)
	}
}

// genReader yields size bytes of pseudo-random data: each 1 MiB chunk is
// a fixed random block stamped with its index, so that dropped, repeated
// or reordered chunks change the hash. It samples memory every 8 chunks.
type genReader struct {
	block, cur []byte
	off, size  int64
	watch      *memWatch
}

func newGenReader(size int64, w *memWatch) *genReader {
	block := make([]byte, chunkSize)
	rng := rand.NewChaCha8([32]byte{'v', 'a'})
	rng.Read(block)
	return &genReader{block: block, cur: make([]byte, chunkSize), size: size, watch: w}
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.off >= g.size {
		return 0, io.EOF
	}
	within := g.off % chunkSize
	if within == 0 {
		g.nextChunk(g.off / chunkSize)
	}
	n := copy(p, g.cur[within:min(chunkSize, within+g.size-g.off)])
	g.off += int64(n)
	return n, nil
}

func (g *genReader) nextChunk(i int64) {
	copy(g.cur, g.block)
	binary.BigEndian.PutUint64(g.cur, uint64(i))
	if g.watch != nil && i%8 == 0 {
		g.watch.sample()
	}
}

func largeSum() string {
	h := sha256.New()
	io.Copy(h, newGenReader(largeSize, nil))
	return hex.EncodeToString(h.Sum(nil))
}

func testLarge(t *testing.T, s visitarchive.Store) {
	if testing.Short() {
		t.Skip("streams 2×100 MiB; skipped with -short")
	}
	want := largeSum()
	for _, c := range []struct {
		key  string
		size int64
	}{{"large/unknown-size", -1}, {"large/known-size", largeSize}} {
		w := newMemWatch()
		info, err := s.Put(t.Context(), c.key, newGenReader(largeSize, w), c.size)
		if err != nil {
			t.Fatalf("Put %s: %v", c.key, err)
		}
		w.check(t, "Put "+c.key)
		if info.Size != largeSize || info.SHA256 != want {
			t.Errorf("Put %s: size %d sha256 %s, want %d %s", c.key, info.Size, info.SHA256, largeSize, want)
		}
		readLarge(t, s, c.key, want)
	}
}

func readLarge(t *testing.T, s visitarchive.Store, key, want string) {
	w := newMemWatch()
	rc, _, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get %s: %v", key, err)
	}
	defer rc.Close()
	h := sha256.New()
	buf := make([]byte, 256<<10)
	var n int64
	for {
		m, err := rc.Read(buf)
		h.Write(buf[:m])
		if n += int64(m); n%(8<<20) < int64(m) {
			w.sample()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading %s: %v", key, err)
		}
	}
	w.check(t, "Get "+key)
	if got := hex.EncodeToString(h.Sum(nil)); n != largeSize || got != want {
		t.Errorf("Get %s: %d bytes sha256 %s, want %d %s", key, n, got, int64(largeSize), want)
	}
}
