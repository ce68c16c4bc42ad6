package backup

import (
	"context"
	"fmt"

	va "github.com/visitarchive/visitarchive"
)

// plan is what the journal says a pass copies and removes.
type plan struct {
	from, to uint64 // the entries after from up to to
	head     string // the hash of entry to
	// keys are the objects the entries wrote, in the order first written;
	// want holds those no later entry removed, with their SHA-256, and
	// wroteAt the entry that last wrote each.
	keys    []string
	want    map[string]string
	wroteAt map[string]uint64
	// removed are the objects whose removal the entries recorded.
	removed []string
}

func newPlan(from uint64, head string) *plan {
	return &plan{from: from, to: from, head: head, want: map[string]string{}, wroteAt: map[string]uint64{}}
}

// add takes the changes of e, the entry after p.to, into p.
func (p *plan) add(e va.Entry) {
	for _, ch := range e.Changes {
		switch {
		case ch.Removed:
			delete(p.want, ch.Key)
			p.removed = append(p.removed, ch.Key)
		case ch.Wrote():
			if _, seen := p.wroteAt[ch.Key]; !seen {
				p.keys = append(p.keys, ch.Key)
			}
			p.want[ch.Key], p.wroteAt[ch.Key] = ch.SHA256, e.Seq
		}
	}
	p.to, p.head = e.Seq, e.Hash
}

// gone reports whether the entries removed key and none wrote it again.
func (p *plan) gone(key string) bool {
	_, ok := p.want[key]
	return !ok
}

// planPass reads the journal from the end of the last backup, prev (nil
// for none), to its head, after checking that prev ends on an entry of
// this journal; from its start when full is set.
func planPass(ctx context.Context, j va.Journal, prev *Manifest, full bool) (*plan, error) {
	p := newPlan(0, "")
	if prev != nil {
		p = newPlan(prev.To, prev.Head)
	}
	head, err := j.Head(ctx)
	if err != nil {
		return nil, err
	}
	if head < p.from {
		return nil, va.E("backup", va.Conflict, nil, "the target holds a backup up to journal entry %d, but the journal of this store ends at entry %d: the target is the backup of another store", p.from, head)
	}
	for e, err := range j.Since(ctx, max(p.from, 1)-1) {
		if err != nil {
			return nil, fmt.Errorf("backup: read the journal: %w", err)
		}
		if e.Seq > head {
			break
		}
		if e.Seq == p.from {
			if e.Hash != p.head {
				return nil, va.E("backup", va.Conflict, nil, "the target's last backup ends at journal entry %d with hash %s, but entry %d of this store has hash %s: the target is the backup of another store, or the journal was altered (run verify)", p.from, p.head, e.Seq, e.Hash)
			}
			continue
		}
		p.add(e)
	}
	if full && prev != nil {
		return planPass(ctx, j, nil, false)
	}
	return p, nil
}
