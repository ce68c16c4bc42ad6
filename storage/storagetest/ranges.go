package storagetest

import (
	"bytes"
	"io"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// testGetRange holds a visitarchive.RangeStore to its contract: the bytes
// from an offset on, nothing at or past the end, NotFound for a missing
// key. A store that is no RangeStore skips it.
func testGetRange(t *testing.T, s visitarchive.Store) {
	rs, ok := s.(visitarchive.RangeStore)
	if !ok {
		t.Skip("not a RangeStore")
	}
	body := make([]byte, 100_000)
	for i := range body {
		body[i] = byte(i * 7)
	}
	put(t, s, "a/range.bin", body)
	for _, off := range []int64{0, 1, 65_567, 99_999, 100_000, 100_001} {
		rc, err := rs.GetRange(t.Context(), "a/range.bin", off)
		if err != nil {
			t.Fatalf("GetRange from %d: %v", off, err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		want := body[min(off, int64(len(body))):]
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("GetRange from %d: %d bytes, %v; want %d bytes", off, len(got), err, len(want))
		}
	}
	_, err := rs.GetRange(t.Context(), "a/missing.bin", 10)
	wantKind(t, "GetRange of a missing key", err, visitarchive.NotFound)
}
