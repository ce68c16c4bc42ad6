package visitarchive

import (
	"context"
	"testing"
	"time"
)

// The writer that applies a group waits for record writes on their way
// to the journal, no longer than it is told, and goes on as soon as they
// are journaled.
func TestGatherWaitsForWritesInFlight(t *testing.T) {
	w := newInFlight()
	start := time.Now()
	w.gather(time.Minute)
	if took := time.Since(start); took > time.Second {
		t.Errorf("gather with no write in flight took %v", took)
	}

	ctx, end := w.begin(context.Background())
	if inner, innerEnd := w.begin(ctx); inner != ctx || w.n.Load() != 1 {
		t.Errorf("a write within a write counted again: %d in flight", w.n.Load())
	} else {
		innerEnd()
	}
	start = time.Now()
	w.gather(200 * time.Millisecond)
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("gather returned after %v with a write in flight, want 200ms", took)
	}

	go func() {
		time.Sleep(50 * time.Millisecond)
		journaled(ctx)
	}()
	start = time.Now()
	w.gather(time.Minute)
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("gather took %v, want it to go on once the write was journaled", took)
	}
	end() // after journaled: counted once
	if n := w.n.Load(); n != 0 {
		t.Errorf("%d writes in flight after the only one ended twice", n)
	}
}
