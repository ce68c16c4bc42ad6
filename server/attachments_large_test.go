package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// generated yields n bytes made on the fly, a PDF by its first bytes, and
// hashes them as they go: a large file that never exists in memory.
type generated struct {
	n, done int64
	rng     *rand.ChaCha8
	h       hash.Hash
}

func newGenerated(n int64) *generated {
	return &generated{n: n, rng: rand.NewChaCha8([32]byte{1}), h: sha256.New()}
}

func (g *generated) Read(p []byte) (int, error) {
	if g.done == g.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.n-g.done)]
	g.rng.Read(p)
	if g.done == 0 {
		copy(p, "%PDF-1.7\n")
	}
	g.h.Write(p)
	g.done += int64(len(p))
	return len(p), nil
}

func (g *generated) sum() string { return hex.EncodeToString(g.h.Sum(nil)) }

// heapPeak samples the heap in use until stop, and returns its greatest
// growth over what it was when it started.
func heapPeak() (stop func() uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > base && m.HeapInuse-base > peak.Load() {
				peak.Store(m.HeapInuse - base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// TestLargeUploadStreams uploads a 200 MiB file made on the fly through a
// real connection, then downloads it: neither holds the file in memory
// (the heap grows by less than 64 MiB), and the bytes come back.
func TestLargeUploadStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("a 200 MiB upload: not under -short")
	}
	const size, maxHeap = 200 << 20, 64 << 20
	forEachBackend(t, func(t *testing.T, ts *testServer) { largeUpload(t, ts, size, maxHeap) })
}

func largeUpload(t *testing.T, ts *testServer, size int64, maxHeap uint64) {
	r := ts.draft()
	base := ts.listen()

	// The multipart framing around the file, so that the request has a
	// Content-Length and is not chunked.
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	if _, err := mw.CreateFormFile("file", "大文件.pdf"); err != nil {
		t.Fatal(err)
	}
	var tail bytes.Buffer
	tail.WriteString("\r\n--" + mw.Boundary() + "--\r\n")
	gen := newGenerated(size)
	body := io.MultiReader(&head, gen, &tail)
	req, err := http.NewRequestWithContext(t.Context(), "POST", base+attachmentsURL(r.ID), body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(head.Len()) + size + int64(tail.Len())
	req.Header.Set("Authorization", "Bearer "+ts.tokens["alice"])
	req.Header.Set("Content-Type", mw.FormDataContentType())

	stop := heapPeak()
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	up := time.Since(start)
	peakUp := stop()
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}
	var list attachmentList
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	a := list.Attachments[0]
	if a.Size != size || a.SHA256 != gen.sum() || a.MediaType != "application/pdf" {
		t.Errorf("uploaded %+v, want %d bytes with SHA-256 %s", a, int64(size), gen.sum())
	}

	stop = heapPeak()
	start = time.Now()
	dl, err := http.NewRequestWithContext(t.Context(), "GET", base+attachmentsURL(r.ID)+"/"+a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	dl.Header.Set("Authorization", "Bearer "+ts.tokens["alice"])
	res, err = http.DefaultClient.Do(dl)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, res.Body)
	res.Body.Close()
	down := time.Since(start)
	peakDown := stop()
	if err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != a.SHA256 {
		t.Errorf("download: %d bytes, %v; want %d bytes with the SHA-256 uploaded", n, err, int64(size))
	}

	mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
	t.Logf("%s: upload of %d MiB: %v, %.0f MiB/s, heap grew by at most %.1f MiB", t.Name(), size>>20, up.Round(time.Millisecond),
		float64(size>>20)/up.Seconds(), mib(peakUp))
	t.Logf("%s: download: %v, %.0f MiB/s, heap grew by at most %.1f MiB", t.Name(), down.Round(time.Millisecond),
		float64(size>>20)/down.Seconds(), mib(peakDown))
	if peakUp > maxHeap || peakDown > maxHeap {
		t.Errorf("the heap grew by %.1f MiB (upload) and %.1f MiB (download); want under %d MiB", mib(peakUp), mib(peakDown), maxHeap>>20)
	}
}
