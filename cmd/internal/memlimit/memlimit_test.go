package memlimit

import (
	"runtime/debug"
	"testing"
)

func TestSet(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	t.Setenv("GOMEMLIMIT", "")
	if got := Set(); got != Default {
		t.Errorf("Set() = %d, want %d", got, Default)
	}
	if got := debug.SetMemoryLimit(-1); got != Default {
		t.Errorf("the runtime's limit is %d, want %d", got, Default)
	}

	// The runtime reads GOMEMLIMIT when the process starts; Set then
	// leaves its limit alone.
	debug.SetMemoryLimit(before)
	t.Setenv("GOMEMLIMIT", "1GiB")
	if got := Set(); got != before {
		t.Errorf("with GOMEMLIMIT set, Set() = %d, want the runtime's %d", got, before)
	}
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("with GOMEMLIMIT set, the runtime's limit became %d, want %d", got, before)
	}
}
