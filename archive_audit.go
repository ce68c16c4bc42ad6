package visitarchive

import (
	"context"
	"strings"
	"time"
)

// The auditors' tools beside the access log (archive_access.go): the
// journal, filtered, and a verification of its chain. Both need the
// permission to read the journal, which only auditors hold.

// ChainReport is the outcome of a verification of the journal's hash
// chain and of the objects its entries record.
type ChainReport struct {
	Entries  uint64         // entries read
	Objects  uint64         // objects hashed
	Problems []ChainProblem // empty when everything checked out
	// Unrecorded are the objects that no entry records and that are older
	// than the grace period (UnrecordedGrace); each is also a problem.
	Unrecorded []ObjectInfo
	// InFlight are the objects no entry records yet that are younger than
	// the grace period: a write in progress journals its objects within
	// seconds. They are not problems.
	InFlight []ObjectInfo
}

// OK reports whether the verification found nothing wrong.
func (r *ChainReport) OK() bool { return len(r.Problems) == 0 }

// ChainProblem is one thing a verification found wrong: an entry altered,
// removed or reordered, an object missing or changed, an object no entry
// records.
type ChainProblem struct {
	Seq    uint64 // the entry concerned (0 when none applies)
	Key    string // the journal entry or object concerned
	Kind   string // ProblemAltered, ProblemMissing, ProblemUnrecorded or ProblemJournal
	Detail string
}

// The kinds of ChainProblem: an object whose content changed, an object
// gone, an object no entry records, and anything wrong with the journal
// itself (an entry altered, removed or reordered; an object still there
// whose removal was journaled; a destruction not ended).
const (
	ProblemAltered    = "altered"
	ProblemMissing    = "missing"
	ProblemUnrecorded = "unrecorded"
	ProblemJournal    = "journal"
)

// ChainVerifier verifies the journal of the archive's store: every
// entry's hash and link to the one before, the checkpoints, the SHA-256 of
// every object recorded, and the objects no entry records.
// storage/journal implements it; cmd wires it (Config.Verifier).
type ChainVerifier interface {
	// VerifyChain returns the report of a whole verification, calling
	// progress (if not nil) after each entry with the entries done. It
	// returns an error only when it could not finish (the store failed,
	// ctx ended); what it found wrong is in the report.
	VerifyChain(ctx context.Context, progress func(entries uint64)) (*ChainReport, error)
}

// VerifyChain verifies the journal's chain and the objects it records,
// for a caller who may read the journal (auditors): Forbidden otherwise,
// Unavailable when the archive was built without a verifier. It reads
// every object, so it takes as long as reading the store; progress is
// called after each entry.
func (a *Archive) VerifyChain(ctx context.Context, progress func(entries uint64)) (*ChainReport, error) {
	const op = "audit.verify"
	if err := a.allow(ctx, op, PermRead, Resource{Kind: KindJournal}); err != nil {
		return nil, err
	}
	if a.verifier == nil {
		return nil, E(op, Unavailable, nil, "this server cannot verify the journal; run visitarchive verify")
	}
	return a.verifier.VerifyChain(ctx, progress)
}

// JournalFilter selects journal entries; zero fields do not filter.
type JournalFilter struct {
	After  uint64   // the entries after this sequence number
	Actor  UserName // entries with a change by this user
	Action string   // entries with a change whose action is this, or begins with it and a '.' ("record")
	// From and To bound the entries' times: [From, To).
	From, To time.Time
	// Limit is the most entries returned (0: 100, at most 1000).
	Limit int
	// Scan is the most entries read to find them (0: 10000), so that a
	// filter that matches little costs a bounded walk; JournalPage.Next
	// says where the walk stopped.
	Scan int
}

// JournalPage is a page of the journal: the entries that match, each
// with only its changes that match (Hash stays that of the whole entry),
// oldest first.
type JournalPage struct {
	Entries []Entry `json:"entries"`
	// Next is the After of the following page: the last entry read, which
	// need not have matched; 0 when the walk reached the end of the
	// journal or of the period.
	Next uint64 `json:"next"`
}

// JournalEntries returns up to limit journal entries after sequence
// number after, oldest first: the audit trail, for auditors.
func (a *Archive) JournalEntries(ctx context.Context, after uint64, limit int) ([]Entry, error) {
	page, err := a.FilterJournal(ctx, JournalFilter{After: after, Limit: limit, Scan: limit})
	if err != nil {
		return nil, err
	}
	return page.Entries, nil
}

// FilterJournal walks the journal from f.After and returns the entries
// that f selects, for a caller who may read the journal (auditors).
func (a *Archive) FilterJournal(ctx context.Context, f JournalFilter) (*JournalPage, error) {
	const op = "audit.journal"
	if err := a.allow(ctx, op, PermRead, Resource{Kind: KindJournal}); err != nil {
		return nil, err
	}
	if err := f.check(op); err != nil {
		return nil, err
	}
	page := &JournalPage{Entries: []Entry{}}
	read := 0
	for e, err := range a.journal.Since(ctx, f.After) {
		if err != nil {
			return nil, err
		}
		if !f.To.IsZero() && !e.Time.Before(f.To) {
			return page, nil
		}
		read++
		if e, ok := f.match(e); ok {
			page.Entries = append(page.Entries, e)
		}
		if len(page.Entries) >= f.Limit || read >= f.Scan {
			page.Next = e.Seq
			break
		}
	}
	return page, nil
}

// check fills in the defaults of f and holds its period to the range of
// times the archive accepts.
func (f *JournalFilter) check(op string) error {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Scan <= 0 {
		f.Scan = 10000
	}
	var c checker
	if f.Limit > 1000 {
		c.add("limit", "must be a whole number from 1 to 1000")
	}
	c.date("from", f.From)
	c.date("to", f.To)
	return c.result(op, "query")
}

// match returns e with only the changes f selects, and whether any are
// left (or e is in the period, for a filter on nothing but the period).
func (f *JournalFilter) match(e Entry) (Entry, bool) {
	if e.Time.Before(f.From) {
		return e, false
	}
	if f.Actor == "" && f.Action == "" {
		return e, true
	}
	var kept []Change
	for _, c := range e.Changes {
		if (f.Actor == "" || c.Actor == f.Actor) && (f.Action == "" || actionIs(c.Action, f.Action)) {
			kept = append(kept, c)
		}
	}
	e.Changes = kept
	return e, len(kept) > 0
}

// actionIs reports whether action is want or one of its family: record
// is record.create, record.read and the rest.
func actionIs(action, want string) bool {
	return action == want || strings.HasPrefix(action, want+".")
}
