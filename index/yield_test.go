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

// An Apply's wait goes on only once no search has run for yieldQuiet: a
// search that begins within it keeps it waiting. A gate that saw no
// search lets it go at once.
func TestGateWaitsForAQuietMoment(t *testing.T) {
	old := yieldQuiet
	yieldQuiet = 200 * time.Millisecond
	t.Cleanup(func() { yieldQuiet = old })

	var g searchGate
	start := time.Now()
	g.wait(time.Minute)
	if took := time.Since(start); took >= yieldQuiet {
		t.Errorf("wait on a gate that saw no search took %v", took)
	}

	g.enter()
	done := make(chan time.Time, 1)
	go func() {
		g.wait(time.Minute)
		done <- time.Now()
	}()
	g.leave()
	time.Sleep(50 * time.Millisecond) // a gap shorter than yieldQuiet
	g.enter()
	time.Sleep(100 * time.Millisecond)
	g.leave()
	last := time.Now()
	if after := (<-done).Sub(last); after < yieldQuiet/2 {
		t.Errorf("wait went on %v after the last search ended, want about %v: the gap before it did not count as quiet", after, yieldQuiet)
	}
}
