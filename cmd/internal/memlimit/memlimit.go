// Package memlimit sets the soft memory limit that every visitarchive
// command runs under, reading GOMEMLIMIT from the environment, and the
// garbage collector's target of the server (GOGC): the commands'
// business, which no package below cmd does.
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

// ServerGCPercent is the garbage collector's target that `visitarchive
// serve` runs with (Go's default: 100): the heap may grow to three times
// what is live before a collection, still under the limit above. A server
// whose people create records makes garbage fast (Bleve's analysis and
// segments, about 1.5 MB a record), and at 100 collecting it took 14% of
// its CPU; with 8 clients creating records at 20,000 records, 200 gave
// 243 creates/s at 6.3 ms of CPU each against 206/s at 7.7 ms, for about
// 60 MB more at its peak.
const ServerGCPercent = 200

// SetServerGC sets the garbage collector's target to ServerGCPercent,
// unless the GOGC environment variable sets one. It returns the target
// in force.
func SetServerGC() int {
	if os.Getenv("GOGC") != "" {
		p := debug.SetGCPercent(100) // read it…
		debug.SetGCPercent(p)        // …and put it back
		return p
	}
	debug.SetGCPercent(ServerGCPercent)
	return ServerGCPercent
}
