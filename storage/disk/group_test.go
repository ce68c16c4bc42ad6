package disk

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentPutsShareSyncs: Puts that arrive together are made
// durable together, one sync of the file system for many of them, and
// each still ends with its object whole under its key.
func TestConcurrentPutsShareSyncs(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var syncs atomic.Int32
	count := func(do func() error) func() error {
		return func() error { syncs.Add(1); return do() }
	}
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("records/R%02d/0000000001.json", i)
			body := strings.Repeat("x", 1000)
			if _, err := s.putWith(t.Context(), key, strings.NewReader(body), int64(len(body)), count); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := syncs.Load(); got >= n {
		t.Errorf("%d syncs for %d concurrent Puts; want them shared", got, n)
	}
	for i := range n {
		key := fmt.Sprintf("records/R%02d/0000000001.json", i)
		if info, err := s.Stat(t.Context(), key); err != nil || info.Size != 1000 {
			t.Errorf("%s: %+v, %v", key, info, err)
		}
	}
}
