package visitarchive

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Journal actions of reference-code claims (see archive_refcodes.go).
const (
	// ActionRefCode journals the claim whose number an archived record
	// version carries, in that version's entry.
	ActionRefCode = "record.refcode"
	// ActionRefCodeRelease journals a claim that no record version will
	// carry: its archiving failed or died, and its number is free again.
	ActionRefCodeRelease = "record.refcode.release"
)

// claimRef is what the key of a claim says: attempt a at number n of
// series. The first attempt (0) is refcodes/<series>/<n:06d>.json, each
// takeover refcodes/<series>/<n:06d>.<a:03d>.json, so that the attempts
// at one number list together, before the next number's.
type claimRef struct {
	series     string
	n, attempt int
}

// claimKey is the key of attempt a at number n of series.
func claimKey(series string, n, a int) string {
	if a == 0 {
		return RefCodeKey(series, n)
	}
	return fmt.Sprintf("%s%s/%06d.%03d.json", RefCodesPrefix, series, n, a)
}

// parseClaimKey parses a key claimKey built.
func parseClaimKey(key string) (claimRef, bool) {
	rest, ok := strings.CutPrefix(key, RefCodesPrefix)
	series, file, ok2 := strings.Cut(rest, "/")
	file, ok3 := strings.CutSuffix(file, ".json")
	if !ok || !ok2 || !ok3 || series == "" {
		return claimRef{}, false
	}
	num, att, takeover := strings.Cut(file, ".")
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || len(num) < 6 {
		return claimRef{}, false
	}
	a := 0
	if takeover {
		if a, err = strconv.Atoi(att); err != nil || a < 1 {
			return claimRef{}, false
		}
	}
	return claimRef{series, n, a}, true
}

// claimFate is what the journal recorded of a claim.
type claimFate uint8

const (
	claimUsed     claimFate = iota + 1 // carried by an archived record version
	claimReleased                      // released: its number is free again
)

// refBook is what the journal says of the claims: per series, the
// numbers archived record versions carry, and the fate of every claim it
// recorded. The catalog keeps one, following the journal; ReferenceSeries
// builds its own.
type refBook struct {
	mu     sync.Mutex
	series map[string]*seriesBook
}

type seriesBook struct {
	used  map[int]int          // number → its claims journaled as used
	fates map[string]claimFate // claim key → its fate
	low   int                  // every number below low is used
}

// note records the fate of the claim c journals, if it is one.
func (b *refBook) note(c Change) {
	if !c.Wrote() || c.Action != ActionRefCode && c.Action != ActionRefCodeRelease {
		return
	}
	ref, ok := parseClaimKey(c.Key)
	if !ok {
		return // verify reports the key
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.book(ref.series)
	if c.Action == ActionRefCodeRelease {
		if s.fates[c.Key] == 0 {
			s.fates[c.Key] = claimReleased
		}
		return
	}
	if s.fates[c.Key] != claimUsed {
		s.used[ref.n]++
	}
	s.fates[c.Key] = claimUsed
	for s.used[s.low] > 0 {
		s.low++
	}
}

func (b *refBook) book(series string) *seriesBook {
	if b.series == nil {
		b.series = map[string]*seriesBook{}
	}
	s := b.series[series]
	if s == nil {
		s = &seriesBook{used: map[int]int{}, fates: map[string]claimFate{}, low: 1}
		b.series[series] = s
	}
	return s
}

// lowestFree returns the lowest number of series no archived record
// version carries.
func (b *refBook) lowestFree(series string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.book(series).low
}

// used reports whether an archived record version carries number n of
// series.
func (b *refBook) used(series string, n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.book(series).used[n] > 0
}

// fate returns what the journal recorded of the claim at key (0: nothing).
func (b *refBook) fate(key string) claimFate {
	ref, ok := parseClaimKey(key)
	if !ok {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.book(ref.series).fates[key]
}
