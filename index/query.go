package index

import (
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/visitarchive/visitarchive"
)

const (
	// maxTerms bounds the clauses that one query text builds.
	maxTerms = 32
	// facetSize is more values than any facet field realistically has
	// on one result page's worth of filters; the rest are in "other".
	facetSize = 50
)

// hitFields are the stored fields a hit is built from, so that a page of
// results needs no read from the store.
var hitFields = []string{fieldCustomerID, fieldCustomerName, fieldTopic, fieldVisitStartAt}

// analyzer is the text field's analyzer, used to cut query text exactly as
// the indexed text was cut.
var analyzer = sync.OnceValue(func() analysis.Analyzer {
	return NewMapping().AnalyzerNamed(textAnalyzer)
})

// Query returns the Bleve query for q: every term of q.Text ANDed, under
// the filters of q, which do not score. Text without terms matches all.
// A query with too many terms is Invalid.
func Query(q visitarchive.SearchQuery) (query.Query, error) {
	bq, _, err := buildQuery(q, false, true)
	return bq, err
}

// Request returns the one plain Bleve request that answers q as Search
// does: query, page, sort, stored fields, facets and highlighting. It is
// what Bleve alone would be asked (the benchmark's floor), and Search is
// tested against it. Its highlights are poorer: Bleve marks only what the
// query matched in text, not the words it matched in grams, which Search
// marks. q is normalized first; a bad q is Invalid.
func Request(q visitarchive.SearchQuery) (*bleve.SearchRequest, error) {
	return request(q, false, true)
}

// request is Request; forMarks matches every Han word in text (see
// textQueries), so that Bleve highlights it; files searches the text of
// files too.
func request(q visitarchive.SearchQuery, forMarks, files bool) (*bleve.SearchRequest, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	bq, hasText, err := buildQuery(q, forMarks, files)
	if err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(bq, q.Size, (q.Page-1)*q.Size, false)
	req.Fields = hitFields
	req.SortByCustom(sortOrder(q.Sort))
	if q.Sort != visitarchive.SortRelevance && !hasText {
		// Scores order nothing here; skip computing them.
		req.Score = bleve.ScoreNone
	}
	if !q.NoFacets {
		addFacets(req, q)
	}
	if hasText {
		req.Highlight = bleve.NewHighlightWithStyle(highlighterName)
		req.Highlight.AddField(fieldText)
	}
	return req, nil
}

// addFacets asks for visitarchive.FacetFields and, when q.Now is set,
// for the overdue facet: the matches whose open_due is before q.Now, as
// one range named "true".
func addFacets(req *bleve.SearchRequest, q visitarchive.SearchQuery) {
	for _, f := range visitarchive.FacetFields {
		req.AddFacet(f, bleve.NewFacetRequest(f, facetSize))
	}
	if !q.Now.IsZero() {
		fr := bleve.NewFacetRequest(fieldOpenDue, 1)
		// The start is open; the end excludes Now, as the filter does.
		fr.AddDateTimeRange(overdueValue, time.Time{}, q.Now)
		req.AddFacet(visitarchive.FacetOverdue, fr)
		// retain_until at or before Now: the range's end excludes, so it
		// ends a nanosecond after Now, as the due filter includes Now.
		dr := bleve.NewFacetRequest(fieldRetainUntil, 1)
		dr.AddDateTimeRange(overdueValue, time.Time{}, q.Now.Add(time.Nanosecond))
		req.AddFacet(visitarchive.FacetDue, dr)
	}
}

// overdueValue is the one value of the overdue facet.
const overdueValue = "true"

// buildQuery is Query; forMarks is as for request, and files searches the
// text of files too, which Search leaves out while no record has any.
func buildQuery(q visitarchive.SearchQuery, forMarks, files bool) (bq query.Query, hasText bool, err error) {
	must, err := textQueries(q.Text, forMarks, files)
	if err != nil {
		return nil, false, err
	}
	filters := filterQueries(q)
	if len(must) == 0 && len(filters) == 0 {
		return query.NewMatchAllQuery(), false, nil
	}
	b := query.NewBooleanQuery(nil, nil, nil)
	if len(must) > 0 {
		b.AddMust(must...)
	}
	if len(filters) > 0 {
		b.AddFilter(query.NewConjunctionQuery(filters))
	}
	return b, len(must) > 0, nil
}

// textQueries returns one or more clauses per term of text, all of which
// must match. More than maxTerms clauses is Invalid: each costs a walk of
// the index, and "锂，钠，…" makes one per character. With forMarks, a
// run of Han characters is always a phrase of text's bigrams, whose
// positions the highlighter marks; otherwise runs of three or four
// characters are one term of grams (see termQueries).
//
// With files (and not forMarks, which is for highlighting the stored
// text, which files are not), each term matches in the record's text or in
// the text of its files: the clauses of the term on text and grams, or
// the same clauses on files and files_grams. Each hit then costs a
// disjunction's bookkeeping (half as fast again on a term of thousands
// of hits), which Search spares itself while no record has files' text.
func textQueries(text string, forMarks, files bool) ([]query.Query, error) {
	var qs []query.Query
	n := 0
	for _, t := range splitTerms(foldWidth(text)) {
		inText := termQueries(t, forMarks, recordFields)
		n += len(inText)
		if forMarks || !files || len(inText) == 0 {
			qs = append(qs, inText...)
			continue
		}
		inFiles := termQueries(t, false, fileFields)
		qs = append(qs, query.NewDisjunctionQuery([]query.Query{all(inText), all(inFiles)}))
	}
	if n > maxTerms {
		e := visitarchive.E("index.query", visitarchive.Invalid, nil, "the query is invalid")
		e.Fields = []visitarchive.FieldError{visitarchive.FieldErrorf("q", "has too many words; at most %d are allowed", maxTerms)}
		return nil, e
	}
	return qs, nil
}

// fieldPair names the two fields that hold one text: analysed as text
// (positions, for phrases) and as grams.
type fieldPair struct{ text, grams string }

// The texts a query searches: the record's, and its files'.
var (
	recordFields = fieldPair{fieldText, fieldGrams}
	fileFields   = fieldPair{fieldFiles, fieldFilesGrams}
)

// all is the conjunction of qs, or its one query.
func all(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewConjunctionQuery(qs)
}

// splitTerms cuts text at white space, keeping "quoted phrases" (ASCII or
// Chinese quotation marks) whole. An unclosed quote runs to the end.
func splitTerms(text string) []string {
	var terms []string
	var b strings.Builder
	quoted := false
	flush := func() {
		if b.Len() > 0 {
			terms = append(terms, b.String())
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case r == '"' || r == '“' || r == '”':
			flush()
			quoted = !quoted
		case unicode.IsSpace(r) && !quoted:
			flush()
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return terms
}

// termQueries analyses one term as the text was analysed and matches its
// tokens in order: each stretch of tokens at consecutive positions is a
// phrase (a run of Han characters is a run of overlapping bigrams, a
// model number such as LX-3021B is "lx" "3021b"), so a term matches only
// where its tokens stand side by side, never where one bigram or one part
// of a model number happens to occur. A lone Han character is its own
// clause: no bigram equals it. A term of punctuation only adds nothing.
//
// Unless forMarks, a run of three or four Han characters is instead one
// term of grams, which holds every such run of the text: the same
// records, without reading a position. A longer run is its phrase ANDed
// with the grams that cover it, so that only records holding all of them
// have their positions read. Two other tokens side by side are likewise
// the one term of grams that pairs them, and more are their phrase ANDed
// with those pairs (wordsQuery).
func termQueries(term string, forMarks bool, f fieldPair) []query.Query {
	toks := analyzer().Analyze([]byte(term))
	var qs []query.Query
	var run []string
	han, words := true, true // every token of run is a bigram; none is
	flush := func() {
		switch {
		case len(run) == 0:
			return
		case words && !forMarks:
			qs = append(qs, wordsQuery(run, f))
		default:
			qs = append(qs, runQuery(run, han && !forMarks, f))
		}
		run, han, words = nil, true, true
	}
	for i, t := range toks {
		if t.Type == analysis.Single {
			flush()
			qs = append(qs, charQuery(string(t.Term), f.text))
			continue
		}
		if len(run) > 0 && t.Position != toks[i-1].Position+1 {
			flush()
		}
		run = append(run, string(t.Term))
		han = han && t.Type == analysis.Double
		words = words && t.Type != analysis.Double
	}
	flush()
	return qs
}

// runQuery matches one run of tokens at consecutive positions; grams says
// that the run is Han bigrams that grams may answer.
func runQuery(run []string, grams bool, f fieldPair) query.Query {
	if !grams || len(run) < minGram-1 {
		return phraseQuery(run, f.text)
	}
	word := []rune(run[0])
	for _, b := range run[1:] {
		word = append(word, []rune(b)[1])
	}
	if len(word) <= maxGram {
		return gramQuery(string(word), f.grams)
	}
	qs := []query.Query{}
	for i := 0; ; i += maxGram {
		i = min(i, len(word)-maxGram)
		qs = append(qs, gramQuery(string(word[i:i+maxGram]), f.grams))
		if i == len(word)-maxGram {
			break
		}
	}
	return query.NewConjunctionQuery(append(qs, phraseQuery(run, f.text)))
}

// wordsQuery matches a run of tokens other than Han bigrams (the parts of
// a model number, a quoted phrase): two are the one term of grams that
// pairs them, more are their phrase ANDed with the pairs, so that Bleve
// reads positions only in the records that hold every pair.
func wordsQuery(run []string, f fieldPair) query.Query {
	if len(run) == 1 {
		return phraseQuery(run, f.text)
	}
	qs := make([]query.Query, 0, len(run))
	for i := 1; i < len(run); i++ {
		qs = append(qs, gramQuery(string(pairTerm(run[i-1], run[i])), f.grams))
	}
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewConjunctionQuery(append(qs, phraseQuery(run, f.text)))
}

func gramQuery(gram, field string) query.Query {
	q := query.NewTermQuery(gram)
	q.SetField(field)
	return q
}

func phraseQuery(terms []string, field string) query.Query {
	if len(terms) == 1 {
		q := query.NewTermQuery(terms[0])
		q.SetField(field)
		return q
	}
	return query.NewPhraseQuery(terms, field)
}

// charQuery matches a single Han character: the bigram index holds it
// only inside the bigrams of its run (电池, 池组 for 池) or, standing
// alone, as itself, so match every term of at most one character either
// side of it. Bleve anchors the pattern at both ends, so the walk of the
// term dictionary follows only branches that hold the character in their
// first two characters.
func charQuery(c, field string) query.Query {
	q := query.NewRegexpQuery(".?" + regexp.QuoteMeta(c) + ".?")
	q.SetField(field)
	return q
}

// filterQueries returns exact matches on keyword fields, the visit_start
// range [From, To), overdue drafts, the blind hashes and the caller's scope.
func filterQueries(q visitarchive.SearchQuery) []query.Query {
	qs := fieldFilters(q)
	for _, b := range q.Blind {
		// An empty value is kept: it matches nothing (Document leaves
		// empty values out), where dropping it would widen the search.
		qs = append(qs, termQuery(fieldBlind, b))
	}
	if s := scopeQuery(q.Scope); s != nil {
		qs = append(qs, s)
	}
	return qs
}

// fieldFilters returns the filters of the SearchQuery fields that name
// one value of a field each.
func fieldFilters(q visitarchive.SearchQuery) []query.Query {
	var qs []query.Query
	for _, f := range []struct{ field, value string }{
		{fieldCustomerID, string(q.CustomerID)},
		{fieldCustomerName, q.CustomerName},
		{fieldCustomerType, q.CustomerType},
		{fieldBusinessArea, q.BusinessArea},
		{fieldDepartment, string(q.Department)},
		{fieldVisitors, string(q.Visitor)},
		{fieldIntent, q.Intent},
		{fieldStatus, q.Status},
		{fieldCountry, q.Country},
		{fieldReviewer, string(q.Reviewer)},
		{fieldRefCode, q.ReferenceCode},
		{fieldRetention, q.Retention},
		{fieldLate, q.Late},
		{fieldPlanID, string(q.PlanID)},
	} {
		if f.value != "" {
			qs = append(qs, termQuery(f.field, f.value))
		}
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		incl, excl := true, false
		d := query.NewDateRangeInclusiveQuery(q.From, q.To, &incl, &excl)
		d.SetField(fieldVisitStart)
		qs = append(qs, d)
	}
	if q.Overdue {
		qs = append(qs, overdueQuery(q.Now))
	}
	if q.Due {
		qs = append(qs, dueQuery(q.Now))
	}
	if !q.RetainFrom.IsZero() || !q.RetainTo.IsZero() {
		incl, excl := true, false
		d := query.NewDateRangeInclusiveQuery(q.RetainFrom, q.RetainTo, &incl, &excl)
		d.SetField(fieldRetainUntil)
		qs = append(qs, d)
	}
	return qs
}

// dueQuery matches the archived records due for appraisal at now:
// retain_until at or before it. A record without retain_until (not
// archived, or permanent) never matches; nor does anything without now.
func dueQuery(now time.Time) query.Query {
	if now.IsZero() {
		return query.NewMatchNoneQuery()
	}
	incl := true
	d := query.NewDateRangeInclusiveQuery(time.Time{}, now, nil, &incl)
	d.SetField(fieldRetainUntil)
	return d
}

// overdueQuery matches the drafts whose deadline is before now: open_due
// strictly before it (a record due at now is not yet late), and records
// without open_due never. Normalize refuses Overdue without Now; should a
// caller of Query pass one anyway, it matches nothing rather than every
// record with a deadline.
func overdueQuery(now time.Time) query.Query {
	if now.IsZero() {
		return query.NewMatchNoneQuery()
	}
	excl := false
	d := query.NewDateRangeInclusiveQuery(time.Time{}, now, nil, &excl)
	d.SetField(fieldOpenDue)
	return d
}

func termQuery(field, value string) query.Query {
	t := query.NewTermQuery(value)
	t.SetField(field)
	return t
}

// sortOrder returns the Bleve sort for one of the visitarchive sort
// orders. Every order ends with the document ID, so that pages are stable.
func sortOrder(s string) search.SortOrder {
	byID := &search.SortDocID{}
	switch s {
	case visitarchive.SortVisitStart:
		return search.SortOrder{visitStartSort(false), byID}
	case visitarchive.SortVisitStartDesc:
		return search.SortOrder{visitStartSort(true), byID}
	default:
		return search.SortOrder{&search.SortScore{Desc: true}, byID}
	}
}

func visitStartSort(desc bool) *search.SortField {
	return &search.SortField{
		Field:   fieldVisitStart,
		Type:    search.SortFieldAsDate,
		Desc:    desc,
		Missing: search.SortFieldMissingLast,
	}
}
