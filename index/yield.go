package index

import (
	"sync"
	"time"
)

// Searches go first. On two cores, people writing at full speed keep both
// busy with Bleve's work (analysis, segments, merges), and a search then
// waits its turn behind it: at 20,000 records, search p95 went from 11
// ms idle to 65 ms while 8 clients created records. So an Apply of a few
// documents (a group of interactive writes, see archive_index.go) waits
// until no search has run for yieldQuiet, up to yieldMax, and the writers
// it carries wait with it; meanwhile more writes join the next group.
// Bulk work (an import, a rebuild) does not wait.
//
// Waiting only while a search was in flight was not enough: searches that
// follow one another closely (one person paging, many people searching)
// leave gaps of a millisecond or less, and an Apply begun in such a gap
// ran beside the next search. Waiting for a quiet moment holds writes
// back while searches keep coming, by yieldMax a group, so that Bleve's
// work for them (and the merges it brings) runs beside few searches. At
// 20,000 records, one client searching without pause while 8 created
// records: search p95 1.23 and 1.47 times idle with a limit of 200 ms,
// 1.5 to 2.3 times with 100 ms (docs/performance.md, Interactive writes,
// step 12).

// yieldMax is the longest an Apply waits for searches.
var yieldMax = 200 * time.Millisecond

// yieldQuiet is how long no search must have run before an Apply that
// waited goes on.
var yieldQuiet = 2 * time.Millisecond

// yieldDocs is the most documents an Apply that yields to searches holds.
const yieldDocs = 64

// searchGate counts the searches in flight.
type searchGate struct {
	mu    sync.Mutex
	n     int
	idle  chan struct{} // closed when the last search in flight ends; nil when none runs
	ended time.Time     // when the last search ended
}

// enter notes a search that starts; leave, one that ends.
func (g *searchGate) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n == 0 {
		g.idle = make(chan struct{})
	}
	g.n++
}

func (g *searchGate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n--; g.n == 0 {
		close(g.idle)
		g.idle = nil
		g.ended = time.Now()
	}
}

// wait returns once no search has run for yieldQuiet, or after at most d.
func (g *searchGate) wait(d time.Duration) {
	var deadline <-chan time.Time // from the first time there is a reason to wait
	for {
		g.mu.Lock()
		idle, quiet := g.idle, yieldQuiet-time.Since(g.ended)
		g.mu.Unlock()
		if idle == nil && quiet <= 0 {
			return
		}
		if deadline == nil {
			deadline = time.After(d)
		}
		if idle != nil { // a search runs: wait for its end
			select {
			case <-idle:
			case <-deadline:
				return
			}
			continue
		}
		select { // the last search ended just now: wait out the quiet
		case <-time.After(quiet):
		case <-deadline:
			return
		}
	}
}
