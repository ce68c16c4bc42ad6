package index

import (
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/visitarchive/visitarchive"
)

// scopeQuery returns the filter that keeps exactly the records for which
// s.Match(visitarchive.RecordResource(r)) holds, or nil when s does not
// limit (nil or All). It is a filter like the others, so it narrows hits,
// totals, facets and highlights together and never changes a score.
func scopeQuery(s *visitarchive.Scope) query.Query {
	switch {
	case s == nil || s.All:
		return nil
	case len(s.Clauses) == 0:
		return query.NewMatchNoneQuery() // no clause allows anything
	}
	qs := make([]query.Query, len(s.Clauses))
	for i, c := range s.Clauses {
		qs[i] = clauseQuery(c)
	}
	return anyQuery(qs)
}

// clauseQuery matches the records that meet every non-empty field of c;
// a clause with none matches all, as ScopeClause.Match does.
func clauseQuery(c visitarchive.ScopeClause) query.Query {
	var qs []query.Query
	if c.Departments != nil {
		qs = append(qs, oneOf(fieldDepartment, c.Departments))
	}
	if c.Owner != "" {
		qs = append(qs, termQuery(fieldCreatedBy, string(c.Owner)))
	}
	if c.Participant != "" {
		qs = append(qs, termQuery(fieldVisitors, string(c.Participant)))
	}
	if c.Statuses != nil {
		qs = append(qs, oneOf(fieldStatus, c.Statuses))
	}
	switch len(qs) {
	case 0:
		return query.NewMatchAllQuery()
	case 1:
		return qs[0]
	}
	return query.NewConjunctionQuery(qs)
}

// oneOf matches the records whose field holds one of values. An empty,
// non-nil list matches nothing, as in ScopeClause.Match. The value ""
// matches the records without the field: Document leaves empty values
// out, and a record without a department is in Departments [""].
func oneOf[T ~string](field string, values []T) query.Query {
	qs := make([]query.Query, 0, len(values))
	for _, v := range values {
		if v == "" {
			qs = append(qs, missingQuery(field))
		} else {
			qs = append(qs, termQuery(field, string(v)))
		}
	}
	return anyQuery(qs)
}

// missingQuery matches the records without a value in field: all but
// those with any term there (every indexed term is non-empty).
func missingQuery(field string) query.Query {
	has := query.NewRegexpQuery(".+")
	has.SetField(field)
	return query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{has})
}

// anyQuery is the disjunction of qs, without the wrapper for one. None
// is said outright as match-none: an empty list here means "nothing is
// allowed", and that must not hang on how Bleve reads an empty
// disjunction.
func anyQuery(qs []query.Query) query.Query {
	switch len(qs) {
	case 0:
		return query.NewMatchNoneQuery()
	case 1:
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}
