package journal

import (
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// The cache of recent entries is bounded by entries and by changes, and
// always holds the newest entry.
func TestRecentCacheIsBounded(t *testing.T) {
	j := &Journal{recent: map[uint64]va.Entry{}}
	check := func(what string, entries int, oldest uint64, changes int) {
		t.Helper()
		if len(j.recent) != entries || j.oldest != oldest || j.changes != changes {
			t.Errorf("%s: %d entries from %d with %d changes, want %d from %d with %d",
				what, len(j.recent), j.oldest, j.changes, entries, oldest, changes)
		}
		for seq := j.oldest; seq < j.oldest+uint64(len(j.recent)); seq++ {
			if j.recent[seq].Seq != seq {
				t.Fatalf("%s: entry %d missing from the cache", what, seq)
			}
		}
	}
	batch := make([]va.Change, 3000) // an import entry
	for seq := uint64(1); seq <= 10; seq++ {
		j.remember(va.Entry{Seq: seq, Changes: batch})
	}
	check("import entries", 2, 9, 6000)

	j.remember(va.Entry{Seq: 11, Changes: make([]va.Change, 2*cacheChanges)})
	check("an entry over the bound alone", 1, 11, 2*cacheChanges)

	for seq := uint64(12); seq < 12+2*cacheSize; seq++ {
		j.remember(va.Entry{Seq: seq, Changes: batch[:1]})
	}
	check("small entries", cacheSize, 12+cacheSize, cacheSize)

	j.remember(va.Entry{Seq: 5000, Changes: batch[:2]})
	check("not the next entry", 1, 5000, 2)
}
