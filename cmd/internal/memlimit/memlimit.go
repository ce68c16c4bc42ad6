// Package memlimit sets the soft memory limit that every visitarchive
// command runs under, reading GOMEMLIMIT from the environment: the
// commands' business, which no package below cmd does.
package memlimit

import (
	"os"
	"runtime/debug"
)

// Default is the soft limit of the Go runtime's memory that Set sets.
// Indexing makes garbage fast: at 100,000 records a rebuild keeps up to
// about 360 MB live for moments (Bleve's batches and merges), and with
// Go's default pacing the heap then grows to twice that, so `visitarchive
// reindex` peaked at 925 MB resident. Under this limit it peaked at 786
// MB, 5% slower. Searching needs far less.
const Default = 450 << 20

// Set sets the runtime's soft memory limit to Default, unless the
// GOMEMLIMIT environment variable sets one (GOMEMLIMIT=off: none). It
// returns the limit in force. A process whose live memory outgrows the
// limit still runs: the collector works harder, up to about half the CPU.
func Set() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(Default)
	return Default
}
