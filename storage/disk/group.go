package disk

import "sync"

// groupSync is the group commit of Puts. A Put that has written its file
// and linked it under its key waits for a sync that starts after it
// arrived; the Puts that arrive while one sync runs share the next. A Put
// alone syncs just its own file and directories; several together sync
// the whole file system once, which costs about as much as one file but
// covers them all. The number of syncs follows the number of writers at
// once, not the number of writes.
type groupSync struct {
	mu      sync.Mutex
	waiting []waiter
	running bool
}

// waiter is one Put waiting for its sync: own syncs just what it wrote.
type waiter struct {
	own  func() error
	done chan error
}

// sync returns once what the Put wrote is durable: synced by own, or by
// all, a sync of everything, when other Puts wait too.
func (g *groupSync) sync(own, all func() error) error {
	w := waiter{own: own, done: make(chan error, 1)}
	g.mu.Lock()
	g.waiting = append(g.waiting, w)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	if lead {
		// Not in this goroutine: its Put returns once its own sync is
		// done, while the syncs for later ones go on.
		go g.run(all)
	}
	return <-w.done
}

// run syncs for the waiting Puts until none is left.
func (g *groupSync) run(all func() error) {
	for {
		g.mu.Lock()
		batch := g.waiting
		g.waiting = nil
		if len(batch) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		sync := all
		if len(batch) == 1 {
			sync = batch[0].own
		}
		err := sync()
		for _, w := range batch {
			w.done <- err
		}
	}
}
