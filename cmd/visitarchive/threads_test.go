package main

import (
	"runtime"
	"testing"
)

// serve runs Go code on twice as many threads as cores, however often it
// starts in one process, unless GOMAXPROCS says otherwise.
func TestServeRunsTwoThreadsACore(t *testing.T) {
	was := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(was) })
	t.Setenv("GOMAXPROCS", "")
	runtime.SetDefaultGOMAXPROCS()
	cores := runtime.GOMAXPROCS(0)
	threadsPerCore()
	threadsPerCore()
	if got := runtime.GOMAXPROCS(0); got != 2*cores {
		t.Errorf("GOMAXPROCS %d after serve started twice on %d cores; want %d", got, cores, 2*cores)
	}
	t.Setenv("GOMAXPROCS", "3")
	runtime.GOMAXPROCS(3)
	threadsPerCore()
	if got := runtime.GOMAXPROCS(0); got != 3 {
		t.Errorf("GOMAXPROCS %d with GOMAXPROCS=3 in the environment", got)
	}
}
