package visitarchive

import "time"

// Fixity (固定性检查) is the scheduled form of verify: every object is read
// again and its SHA-256 checked against the journal. Each run's result is
// kept as an object (fixity/<id>.json, FixityKey) and journaled as
// ActionFixityDone, so that auditors can read every result since the
// archive began and prove that none was removed.

// FixityPrefix holds the results of the fixity runs.
const FixityPrefix = "fixity/"

// ActionFixityDone is the journal action of a fixity result.
const ActionFixityDone = "fixity.done"

// FixityKey is the key of the result of fixity run id.
func FixityKey(id string) string { return FixityPrefix + id + ".json" }

// FixityResult is what one fixity run found.
type FixityResult struct {
	ID      string    `json:"id"`
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`
	Entries uint64    `json:"entries"` // journal entries read
	Objects uint64    `json:"objects"` // objects hashed
	// Altered are the objects whose content no longer has the SHA-256 the
	// journal recorded; Missing those the journal recorded and the store
	// no longer holds; Untracked those the store holds and no journal
	// entry records (older than UnrecordedGrace).
	Altered   []FixityProblem `json:"altered"`
	Missing   []FixityProblem `json:"missing"`
	Untracked []FixityProblem `json:"untracked"`
	// Journal are the problems of the journal itself: entries altered,
	// removed or reordered, destructions left half done.
	Journal []FixityProblem `json:"journal"`
}

// FixityProblem is one object or journal entry at fault.
type FixityProblem struct {
	Seq    uint64 `json:"seq,omitempty"` // the journal entry concerned, if any
	Key    string `json:"key"`
	Detail string `json:"detail"`
}

// Problems is the number of problems found.
func (r *FixityResult) Problems() int {
	return len(r.Altered) + len(r.Missing) + len(r.Untracked) + len(r.Journal)
}

// OK reports whether the run found nothing wrong.
func (r *FixityResult) OK() bool { return r.Problems() == 0 }

// NewFixityResult sorts the report of a verification into a result,
// by the kind of each problem.
func NewFixityResult(rep *ChainReport, started, ended time.Time) *FixityResult {
	res := &FixityResult{ID: NewID("FX", started), Started: started.UTC(), Ended: ended.UTC(),
		Entries: rep.Entries, Objects: rep.Objects,
		Altered: []FixityProblem{}, Missing: []FixityProblem{}, Untracked: []FixityProblem{}, Journal: []FixityProblem{}}
	for _, p := range rep.Problems {
		fp := FixityProblem{Seq: p.Seq, Key: p.Key, Detail: p.Detail}
		switch p.Kind {
		case ProblemAltered:
			res.Altered = append(res.Altered, fp)
		case ProblemMissing:
			res.Missing = append(res.Missing, fp)
		case ProblemUnrecorded:
			res.Untracked = append(res.Untracked, fp)
		default:
			res.Journal = append(res.Journal, fp)
		}
	}
	return res
}
