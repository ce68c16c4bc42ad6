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
// while a search runs, up to yieldMax, and the writers it carries wait
// with it; meanwhile more writes join the next group. Bulk work (an
// import, a rebuild) does not wait.

// yieldMax is the longest an Apply waits for searches in flight.
var yieldMax = 25 * time.Millisecond

// yieldDocs is the most documents an Apply that yields to searches holds.
const yieldDocs = 64

// searchGate counts the searches in flight.
type searchGate struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when the last search in flight ends; nil when none runs
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
	}
}

// wait returns once no search runs, or after at most d.
func (g *searchGate) wait(d time.Duration) {
	g.mu.Lock()
	idle := g.idle
	g.mu.Unlock()
	if idle == nil {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	}
}
