package index

import (
	"fmt"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

// An Apply of a few documents waits while a search runs, at most
// yieldMax, and goes on as soon as the search ends; a bulk Apply does not
// wait. Either way what it applied is searchable when it returns.
func TestApplyYieldsToSearches(t *testing.T) {
	ctx := t.Context()
	docs := loadCorpus(t)
	ix := openTest(t, t.TempDir())
	setYield := func(d time.Duration) {
		old := yieldMax
		yieldMax = d
		t.Cleanup(func() { yieldMax = old })
	}
	setYield(time.Second)

	ix.searches.enter() // a search in flight that does not end
	start := time.Now()
	if err := ix.Apply(ctx, 1, docs[:1], nil); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < yieldMax {
		t.Errorf("Apply of one document returned after %v while a search ran, want it to wait %v", waited, yieldMax)
	}

	done := make(chan time.Duration, 1)
	go func() {
		start := time.Now()
		if err := ix.Apply(ctx, 2, docs[1:2], nil); err != nil {
			t.Error(err)
		}
		done <- time.Since(start)
	}()
	time.Sleep(100 * time.Millisecond)
	ix.searches.leave() // the search ends
	if waited := <-done; waited >= yieldMax {
		t.Errorf("Apply returned %v after it began, want it to go on once the search ended (100 ms)", waited)
	}

	// A bulk Apply (an import, a rebuild) goes on at once: were it to
	// wait, it would take a minute.
	setYield(time.Minute)
	bulk := make([]visitarchive.IndexDoc, 0, yieldDocs+1)
	for i := range yieldDocs + 1 {
		d := docs[i%len(docs)]
		r := *d.Record
		r.ID = visitarchive.RecordID(fmt.Sprintf("R-BULK-%03d", i))
		d.Record = &r
		bulk = append(bulk, d)
	}
	ix.searches.enter()
	defer ix.searches.leave()
	start = time.Now()
	if err := ix.Apply(ctx, 3, bulk, nil); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took >= yieldMax {
		t.Errorf("a bulk Apply took %v while a search ran: it waited for it", took)
	}
	if n, err := ix.Count(ctx); err != nil || n != uint64(2+len(bulk)) {
		t.Errorf("Count = %d, %v; want %d", n, err, 2+len(bulk))
	}
}
