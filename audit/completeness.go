package audit

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	va "github.com/visitarchive/visitarchive"
)

func (r *run) checkFields(context.Context) (int, []Finding, error) {
	n, out := r.eachArchived(func(ar va.AuditRecord) string {
		if len(ar.Missing) == 0 {
			return ""
		}
		return "mandatory fields empty: " + strings.Join(ar.Missing, ", ")
	})
	return n, out, nil
}

// eachArchived calls problem with every archived record and returns how
// many there are, and a finding of each record for which problem says
// something.
func (r *run) eachArchived(problem func(va.AuditRecord) string) (int, []Finding) {
	var out []Finding
	n := 0
	for _, ar := range r.records {
		if ar.Record.Status != va.StatusArchived {
			continue
		}
		n++
		if msg := problem(ar); msg != "" {
			out = append(out, recordFinding(ar, msg))
		}
	}
	return n, out
}

// checkAttachments checks that the content of every attachment the
// journal recorded is in the store.
func (r *run) checkAttachments(ctx context.Context) (int, []Finding, error) {
	var out []Finding
	n := 0
	for _, ar := range r.records {
		for _, meta := range ar.Attachments {
			n++
			content := strings.TrimSuffix(meta, ".json") + ".bin"
			_, err := r.Store.Stat(ctx, content)
			switch {
			case va.IsKind(err, va.NotFound):
				out = append(out, Finding{Object: content, Record: string(ar.Record.ID), Detail: "the content of attachment " + meta + " is missing"})
			case err != nil:
				return n, nil, err
			}
		}
	}
	return n, out, nil
}

// checkSeries checks that the archived records of each reference-code
// series hold the numbers 1 to N, each once, counting those a
// destruction register lists as destroyed. A missing number says whether
// a claim holds it (claimed, never archived) or none does.
func (r *run) checkSeries(ctx context.Context) (int, []Finding, error) {
	claims, err := r.Archive.AuditClaims(ctx)
	if err != nil {
		return 0, nil, err
	}
	destroyed, err := r.destroyedCodes(ctx)
	if err != nil {
		return 0, nil, err
	}
	claimed := map[string]va.RefClaim{}
	for _, c := range claims {
		claimed[va.RefCodeKey(c.Series, c.Number)] = c
	}
	used := map[string]map[int][]va.AuditRecord{} // series → number → records
	for _, ar := range r.records {
		series, n, ok := va.ParseRefCode(ar.Record.ReferenceCode)
		if ar.Record.Status != va.StatusArchived || !ok {
			continue // authenticity.refcodes reports these
		}
		if used[series] == nil {
			used[series] = map[int][]va.AuditRecord{}
		}
		used[series][n] = append(used[series][n], ar)
	}
	var out []Finding
	for _, series := range slices.Sorted(maps.Keys(used)) {
		out = append(out, seriesFindings(series, used[series], claimed, destroyed)...)
	}
	return len(used), out, nil
}

// destroyedCodes are the claim keys (RefCodeKey) of the reference codes
// the registers of the ended destructions list: numbers of their series
// that no record carries any more, on purpose.
func (r *run) destroyedCodes(ctx context.Context) (map[string]bool, error) {
	ds, err := r.Archive.Destructions(ctx)
	if err != nil {
		return nil, err
	}
	codes := map[string]bool{}
	for _, d := range ds {
		if !d.Done {
			continue
		}
		reg, err := r.Archive.Register(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range reg.Entries {
			if series, n, ok := va.ParseRefCode(e.ReferenceCode); ok {
				codes[va.RefCodeKey(series, n)] = true
			}
		}
	}
	return codes, nil
}

func seriesFindings(series string, nums map[int][]va.AuditRecord, claimed map[string]va.RefClaim, destroyed map[string]bool) []Finding {
	var out []Finding
	last := slices.Max(slices.Collect(maps.Keys(nums)))
	for n := 1; n <= last; n++ {
		key := va.RefCodeKey(series, n)
		switch recs := nums[n]; {
		case len(recs) == 0 && destroyed[key]:
			// destroyed on an approved list: its register accounts for it
		case len(recs) == 0:
			out = append(out, gapFinding(series, n, key, claimed))
		case len(recs) > 1:
			for _, ar := range recs {
				out = append(out, recordFinding(ar, fmt.Sprintf("duplicate: %d records carry reference code %s", len(recs), ar.Record.ReferenceCode)))
			}
		}
	}
	return out
}

func gapFinding(series string, n int, key string, claimed map[string]va.RefClaim) Finding {
	f := Finding{Object: key, Detail: fmt.Sprintf("gap: number %d of series %s is carried by no archived record", n, series)}
	if c, ok := claimed[key]; ok {
		f.Record = string(c.Record)
		f.Detail += fmt.Sprintf("; its claim names record %s version %d", c.Record, c.Version)
	} else {
		f.Detail += "; no claim holds it"
	}
	return f
}

// checkPlans lists the approved plans whose filing deadline passed with
// no record naming them.
func (r *run) checkPlans(ctx context.Context) (int, []Finding, error) {
	plans, err := r.Archive.AuditEndedPlans(ctx, r.now)
	if err != nil {
		return 0, nil, err
	}
	has := map[va.PlanID]bool{}
	for _, ar := range r.records {
		has[ar.Record.PlanID] = true
	}
	var out []Finding
	for _, p := range plans {
		due := p.Plan.VisitEnd.Add(r.Archive.FilingPeriod())
		if has[p.Plan.ID] || r.now.Before(due) {
			continue
		}
		told := "its supervisors were not told yet"
		if p.Told {
			told = "its supervisors were told"
		}
		out = append(out, Finding{Object: va.PlanKey(p.Plan.ID, p.Plan.Version),
			Detail: fmt.Sprintf("plan %s: visit ended %s, no record by the deadline %s; %s", p.Plan.ID, stamp(p.Plan.VisitEnd), stamp(due), told)})
	}
	return len(plans), out, nil
}

func (r *run) checkMissing(context.Context) (int, []Finding, error) {
	return int(r.chain.Objects), r.chainFindings(va.ProblemMissing), nil
}

// checkIndexCounts compares the records per status in the index with
// those in the store.
func (r *run) checkIndexCounts(ctx context.Context) (int, []Finding, error) {
	if r.Index == nil {
		return 0, []Finding{{Detail: "no search index was given to the audit"}}, nil
	}
	res, err := r.Index.Search(ctx, va.SearchQuery{Size: 1})
	if err != nil {
		return 0, nil, err
	}
	inIndex := map[string]int{}
	for _, f := range res.Facets["status"] {
		inIndex[f.Value] = f.Count
	}
	inStore := map[string]int{}
	for _, ar := range r.records {
		inStore[string(ar.Record.Status)]++
	}
	var out []Finding
	for _, s := range va.RecordStatuses {
		if inIndex[s] != inStore[s] {
			out = append(out, Finding{Detail: fmt.Sprintf("status %s: %d in the index, %d in the store", s, inIndex[s], inStore[s])})
		}
	}
	return len(va.RecordStatuses), out, nil
}
