package index

import (
	"runtime/debug"
	"testing"
)

func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	t.Setenv("GOMEMLIMIT", "")
	if got := LimitMemory(); got != MemoryLimit {
		t.Errorf("LimitMemory() = %d, want %d", got, MemoryLimit)
	}
	if got := debug.SetMemoryLimit(-1); got != MemoryLimit {
		t.Errorf("the runtime's limit is %d, want %d", got, MemoryLimit)
	}

	// The runtime reads GOMEMLIMIT when the process starts; LimitMemory
	// then leaves its limit alone.
	debug.SetMemoryLimit(before)
	t.Setenv("GOMEMLIMIT", "1GiB")
	if got := LimitMemory(); got != before {
		t.Errorf("with GOMEMLIMIT set, LimitMemory() = %d, want the runtime's %d", got, before)
	}
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("with GOMEMLIMIT set, the runtime's limit became %d, want %d", got, before)
	}
}
