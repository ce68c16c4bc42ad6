package visitarchive

import (
	"context"
	"slices"
)

// KeepFixity stores res, the result of a fixity run, and journals it as
// ActionFixityDone. The caller is the system (the scheduled job) or an
// operator; the objects res names are not touched.
func (a *Archive) KeepFixity(ctx context.Context, res *FixityResult) error {
	const op = "fixity.keep"
	if _, err := actor(ctx, op); err != nil {
		return err
	}
	key := FixityKey(res.ID)
	info, err := a.put(ctx, key, res)
	if err != nil {
		return err
	}
	return a.commit(ctx, ActionFixityDone, Change{Key: key, SHA256: info.SHA256}, res)
}

// FixityResults returns the results of the last limit fixity runs (all
// when limit <= 0), newest first, for a caller who may read the journal
// (auditors).
func (a *Archive) FixityResults(ctx context.Context, limit int) ([]FixityResult, error) {
	const op = "audit.fixity"
	if err := a.allow(ctx, op, PermRead, Resource{Kind: KindJournal}); err != nil {
		return nil, err
	}
	es := a.catalog.objects(FixityPrefix)
	slices.Reverse(es)
	if limit > 0 && len(es) > limit {
		es = es[:limit]
	}
	out := make([]FixityResult, len(es))
	for i, e := range es {
		if err := readSealed(ctx, a.store, e.key, e.sum, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
