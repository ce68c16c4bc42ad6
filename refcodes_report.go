package visitarchive

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// RefSeries is one reference-code series as the journal and the claims in
// the store show it: every number claimed, which archived record versions
// carry each, and the gaps and duplicates.
type RefSeries struct {
	Series  string      `json:"series"`  // <fonds>-KF-<year>-<period>-<area>
	Numbers []RefNumber `json:"numbers"` // 1 to the highest number claimed, ascending
	// Last is the highest number an archived record version carries.
	Last int `json:"last"`
	// Gaps are the numbers up to Last that no archived record version
	// carries; Duplicates those that two or more carry.
	Gaps       []int `json:"gaps,omitempty"`
	Duplicates []int `json:"duplicates,omitempty"`
}

// RefNumber is one number of a series and the fate of its claims.
type RefNumber struct {
	Number int    `json:"number"`
	Code   string `json:"code"` // the reference code it makes
	// Used counts the claims journaled with an archived record version:
	// 1, or 0 for a number no record carries (yet).
	Used int `json:"used"`
	// Records are the records of the used claims, as the claims name them.
	Records []RecordID `json:"records,omitempty"`
	// Released counts the claims journaled as released: their archiving
	// failed or died, and the number went to the next archiving.
	Released int `json:"released,omitempty"`
	// Open counts the claims neither used nor released: an archiving in
	// flight, or one that died, whose number the next archiving of the
	// record or the series takes over. OpenSince is when the latest of
	// them was written.
	Open      int       `json:"open,omitempty"`
	OpenSince time.Time `json:"open_since,omitzero"`
}

// OK reports whether the series has neither gap nor duplicate.
func (s *RefSeries) OK() bool { return len(s.Gaps) == 0 && len(s.Duplicates) == 0 }

// Problems describes each gap and duplicate of s, one line each. A gap
// whose number has an open claim written less than grace before now is an
// archiving in flight, not a problem.
func (s *RefSeries) Problems(now time.Time, grace time.Duration) []string {
	var out []string
	for _, n := range s.Gaps {
		num := s.Numbers[n-1]
		switch {
		case num.Open > 0 && now.Sub(num.OpenSince) < grace:
			continue
		case num.Open > 0:
			out = append(out, fmt.Sprintf("reference code %s: gap: claimed at %s and never archived; the next archiving of the series takes it over",
				num.Code, num.OpenSince.UTC().Format(time.RFC3339)))
		case num.Released > 0:
			out = append(out, fmt.Sprintf("reference code %s: gap: released; the next archiving of the series takes it", num.Code))
		default:
			out = append(out, fmt.Sprintf("reference code %s: gap: never claimed, though %s is archived", num.Code, s.Numbers[s.Last-1].Code))
		}
	}
	for _, n := range s.Duplicates {
		num := s.Numbers[n-1]
		ids := make([]string, len(num.Records))
		for i, id := range num.Records {
			ids[i] = string(id)
		}
		out = append(out, fmt.Sprintf("reference code %s: duplicate: %d archived record versions carry it (records %s)",
			num.Code, num.Used, strings.Join(ids, ", ")))
	}
	return out
}

// ReferenceSeries lists every reference-code series, in order, from the
// journal (the claims archived record versions carry, and those
// released) and the claims in the store (those neither yet). The claims
// used are read for their records. Verify reports what it finds
// (RefSeries.Problems); the completeness check of an audit calls it too.
func ReferenceSeries(ctx context.Context, store Store, j Journal) ([]RefSeries, error) {
	var book refBook
	for e, err := range j.Since(ctx, 0) {
		if err != nil {
			return nil, err
		}
		for _, c := range e.Changes {
			book.note(c)
		}
	}
	nums := map[string]map[int]*RefNumber{}
	number := func(series string, n int) *RefNumber {
		if nums[series] == nil {
			nums[series] = map[int]*RefNumber{}
		}
		if nums[series][n] == nil {
			nums[series][n] = &RefNumber{Number: n, Code: refCode(series, n)}
		}
		return nums[series][n]
	}
	var used []string
	for series, s := range book.series {
		for key, fate := range s.fates {
			ref, _ := parseClaimKey(key)
			num := number(series, ref.n)
			if fate == claimReleased {
				num.Released++
			} else {
				num.Used++
				used = append(used, key)
			}
		}
	}
	if err := openClaims(ctx, store, &book, number); err != nil {
		return nil, err
	}
	if err := claimRecords(ctx, store, used, number); err != nil {
		return nil, err
	}
	return seriesOf(nums), nil
}

// openClaims adds the claims in store that the journal did not record.
func openClaims(ctx context.Context, store Store, book *refBook, number func(string, int) *RefNumber) error {
	for info, err := range store.List(ctx, RefCodesPrefix, "") {
		if err != nil && !IsKind(err, Integrity) {
			return err
		}
		ref, ok := parseClaimKey(info.Key)
		if !ok || book.fate(info.Key) != 0 {
			continue // verify reports a key it does not know
		}
		num := number(ref.series, ref.n)
		num.Open++
		if info.Modified.After(num.OpenSince) {
			num.OpenSince = info.Modified
		}
	}
	return nil
}

// claimRecords reads the used claims at keys for their records; a claim
// that cannot be read is left out (verify reports it missing or altered).
func claimRecords(ctx context.Context, store Store, keys []string, number func(string, int) *RefNumber) error {
	claims := make([]refClaim, len(keys))
	err := parallel(ctx, len(keys), func(i int) error {
		if _, err := readJSON(ctx, store, keys[i], &claims[i]); err != nil && !IsKind(err, NotFound) && !IsKind(err, Integrity) {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, key := range keys {
		if claims[i].Record != "" {
			ref, _ := parseClaimKey(key)
			num := number(ref.series, ref.n)
			num.Records = append(num.Records, claims[i].Record)
		}
	}
	return nil
}

// seriesOf orders the numbers of each series, fills in the numbers never
// claimed, and finds the gaps and duplicates.
func seriesOf(nums map[string]map[int]*RefNumber) []RefSeries {
	var out []RefSeries
	for _, series := range slices.Sorted(maps.Keys(nums)) {
		s := RefSeries{Series: series}
		top := 0
		for n, num := range nums[series] {
			top = max(top, n)
			if num.Used > 0 {
				s.Last = max(s.Last, n)
			}
		}
		for n := 1; n <= top; n++ {
			num := cmp.Or(nums[series][n], &RefNumber{Number: n, Code: refCode(series, n)})
			slices.Sort(num.Records)
			s.Numbers = append(s.Numbers, *num)
			switch {
			case num.Used == 0 && n < s.Last:
				s.Gaps = append(s.Gaps, n)
			case num.Used > 1:
				s.Duplicates = append(s.Duplicates, n)
			}
		}
		out = append(out, s)
	}
	return out
}
