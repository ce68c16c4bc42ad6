package index

import (
	"context"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/visitarchive/visitarchive"
)

// plansBatch bounds the plan ids that one query of PlansWithRecords asks
// about: each is a clause of the disjunction and a slot of the facet.
const plansBatch = 1000

// PlansWithRecords returns the plans, of those given, that at least one
// indexed record names in plan_id, each mapped to true; the others are
// not in the map. No plans (or only empty ids) is an empty map without a
// query. It ignores any scope: it is for trusted callers, such as the
// check before a plan is deleted. The ids are asked about plansBatch at
// a time, each batch one query that counts no hits but facets plan_id.
// A closed index, or a ctx that ends, is Unavailable.
func (ix *Index) PlansWithRecords(ctx context.Context, plans []visitarchive.PlanID) (map[visitarchive.PlanID]bool, error) {
	out := map[visitarchive.PlanID]bool{}
	for batch := range slices.Chunk(uniquePlans(plans), plansBatch) {
		if err := ix.plansIn(ctx, batch, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// plansIn marks in out those of batch that some record names.
func (ix *Index) plansIn(ctx context.Context, batch []string, out map[visitarchive.PlanID]bool) error {
	qs := make([]query.Query, len(batch))
	for i, p := range batch {
		qs[i] = termQuery(fieldPlanID, p)
	}
	req := bleve.NewSearchRequestOptions(anyQuery(qs), 0, 0, false)
	req.Score = bleve.ScoreNone
	// A record has one plan_id, so the matches hold at most len(batch)
	// values and the facet misses none of them.
	req.AddFacet(fieldPlanID, bleve.NewFacetRequest(fieldPlanID, len(batch)))
	res, err := ix.search(ctx, req)
	if err != nil {
		return unavailable("index.plans_with_records", err)
	}
	if f := res.Facets[fieldPlanID]; f != nil && f.Terms != nil {
		for _, t := range f.Terms.Terms() {
			if t.Count > 0 {
				out[visitarchive.PlanID(t.Term)] = true
			}
		}
	}
	return nil
}

// uniquePlans returns the distinct non-empty ids of plans, sorted: a
// record never has an empty plan_id (Document leaves it out).
func uniquePlans(plans []visitarchive.PlanID) []string {
	ids := make([]string, 0, len(plans))
	for _, p := range plans {
		if p != "" {
			ids = append(ids, string(p))
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}
