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

func TestSetServerGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })
	t.Setenv("GOGC", "")
	if got := SetServerGC(); got != ServerGCPercent {
		t.Errorf("SetServerGC() = %d, want %d", got, ServerGCPercent)
	}
	if got := debug.SetGCPercent(100); got != ServerGCPercent {
		t.Errorf("the collector's target is %d, want %d", got, ServerGCPercent)
	}
	// The runtime reads GOGC when the process starts; SetServerGC then
	// leaves its target alone.
	debug.SetGCPercent(150)
	t.Setenv("GOGC", "150")
	if got := SetServerGC(); got != 150 {
		t.Errorf("with GOGC set, SetServerGC() = %d, want the runtime's 150", got)
	}
	if got := debug.SetGCPercent(100); got != 150 {
		t.Errorf("with GOGC set, the collector's target became %d, want 150", got)
	}
}
