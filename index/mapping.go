package index

import (
	"bytes"
	"cmp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	// cjk registers cjk_width and cjk_bigram: without the import, opening
	// an index with this mapping panics.
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/visitarchive/visitarchive"
)

// SchemaVersion names the mapping and analysis below and the layout of
// the shards. Bump it whenever one changes: Open then rebuilds an index
// written under another version instead of answering queries with a
// mapping that no longer fits. Version 2 added created_by and blind;
// version 3 the workflow fields late, reviewer, reference_code, retention
// and open_due; version 4 split the index into shards (index.go); version
// 5 added grams; version 6 added the word pairs to grams; version 7
// indexed customer_name as a keyword; version 8 added retain_until and
// made retention the period in force; version 9 added files and
// files_grams, the text of the record's attachments.
const SchemaVersion = 9

// Names of the analysis components this package defines.
const (
	textAnalyzer     = "visitarchive_text"
	gramsAnalyzer    = "visitarchive_grams"
	hanGapFilter     = "visitarchive_han_gap"
	hanGramsFilter   = "visitarchive_han_grams"
	possessiveFilter = "visitarchive_possessive"
)

// Field names. doc.go documents each one.
const (
	fieldText         = "text"
	fieldGrams        = "grams"
	fieldCustomerID   = "customer_id"
	fieldCustomerName = "customer_name"
	fieldCustomerType = "customer_type"
	fieldBusinessArea = "business_area"
	fieldCountry      = "country"
	fieldDepartment   = "department"
	fieldVisitors     = "visitors"
	fieldStatus       = "status"
	fieldIntent       = "cooperation_intent"
	fieldPlanID       = "plan_id"
	fieldTopic        = "topic"
	fieldVisitStart   = "visit_start"
	fieldVisitStartAt = "visit_start_text"
	fieldCreatedBy    = "created_by"
	fieldBlind        = "blind"
	fieldLate         = "late"
	fieldReviewer     = "reviewer"
	fieldRefCode      = "reference_code"
	fieldRetention    = "retention"
	fieldOpenDue      = "open_due"
	fieldRetainUntil  = "retain_until"
	fieldFiles        = "files"
	fieldFilesGrams   = "files_grams"
)

// keywordFields hold exact values for filters; those in
// visitarchive.FacetFields are also counted in facets.
var keywordFields = []string{
	fieldCustomerID, fieldCustomerType, fieldBusinessArea, fieldCountry,
	fieldDepartment, fieldVisitors, fieldStatus, fieldIntent, fieldPlanID,
	fieldCreatedBy, fieldLate, fieldReviewer, fieldRefCode, fieldRetention,
}

func init() {
	if err := registry.RegisterTokenFilter(hanGapFilter, newHanGap); err != nil {
		panic(err)
	}
	if err := registry.RegisterTokenFilter(possessiveFilter, newPossessive); err != nil {
		panic(err)
	}
	if err := registry.RegisterTokenFilter(hanGramsFilter, newHanGrams); err != nil {
		panic(err)
	}
}

// NewMapping returns the index mapping: one analysed text field and
// keyword, date and stored-only fields; nothing dynamic, no _all.
func NewMapping() mapping.IndexMapping {
	im := mapping.NewIndexMapping()
	err := im.AddCustomAnalyzer(textAnalyzer, map[string]any{
		"type":      custom.Name,
		"tokenizer": unicode.Name,
		"token_filters": []any{
			cjk.WidthName, lowercase.Name, possessiveFilter, cjk.BigramName, hanGapFilter,
		},
	})
	if err != nil {
		panic("index: mapping: " + err.Error()) // static configuration: a bug
	}
	err = im.AddCustomAnalyzer(gramsAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{cjk.WidthName, lowercase.Name, possessiveFilter, hanGramsFilter},
	})
	if err != nil {
		panic("index: mapping: " + err.Error())
	}
	im.DefaultAnalyzer = textAnalyzer
	im.DefaultField = fieldText
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false

	dm := mapping.NewDocumentMapping()
	dm.Dynamic = false
	addField(dm, fieldText, textField())
	addField(dm, fieldGrams, gramsField())
	addField(dm, fieldFiles, filesField())
	addField(dm, fieldFilesGrams, gramsField())
	for _, f := range keywordFields {
		addField(dm, f, keywordField(f == fieldCustomerID))
	}
	addField(dm, fieldBlind, blindField())
	addField(dm, fieldCustomerName, nameField())
	addField(dm, fieldVisitStart, dateField())
	addField(dm, fieldOpenDue, dateField())
	addField(dm, fieldRetainUntil, dateField())
	for _, f := range []string{fieldTopic, fieldVisitStartAt} {
		addField(dm, f, storedOnlyField())
	}
	im.DefaultMapping = dm
	return im
}

// addField maps one top-level field. Its property is not dynamic either,
// so that an object where a value belongs adds no fields.
func addField(dm *mapping.DocumentMapping, name string, f *mapping.FieldMapping) {
	dm.AddFieldMappingsAt(name, f)
	dm.Properties[name].Dynamic = false
}

func textField() *mapping.FieldMapping {
	f := mapping.NewTextFieldMapping()
	f.Analyzer = textAnalyzer
	f.Store = true              // the highlighter reads the stored text
	f.IncludeTermVectors = true // phrase queries and highlights need positions
	f.IncludeInAll = false
	f.DocValues = false // never sorted or faceted; doc values cost a third of the index
	return f
}

// filesField holds the text of the record's files, a value per page,
// analysed as text is, with the positions that phrase queries need, but
// not stored: the text of a file never sits in the index in clear, and
// its fragments are built from the sealed text (Index.Mark).
func filesField() *mapping.FieldMapping {
	f := textField()
	f.Store = false
	return f
}

// gramsField holds the runs of three and four Han characters of the text
// and the pairs of other words that stand side by side in it, each one
// term, so that a Chinese word of that length or a two-part model number
// is one term query, not a phrase checked position by position. Only the
// postings are kept: no positions (nothing is a phrase of grams), no
// stored value.
func gramsField() *mapping.FieldMapping {
	f := mapping.NewTextFieldMapping()
	f.Analyzer = gramsAnalyzer
	f.Store = false
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = false
	return f
}

func keywordField(store bool) *mapping.FieldMapping {
	f := mapping.NewKeywordFieldMapping()
	f.Analyzer = keyword.Name
	f.Store = store
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = true // facets read doc values
	return f
}

// blindField holds keyed hashes for exact lookup only: a hash is useless
// to show, sort or count, and every copy of it (stored value, term
// vector, doc value) is one more place a guess could be checked against.
func blindField() *mapping.FieldMapping {
	f := keywordField(false)
	f.DocValues = false
	return f
}

// nameField holds the customer name of a record for an exact filter and
// for hits to show: stored, but neither faceted nor sorted.
func nameField() *mapping.FieldMapping {
	f := keywordField(true)
	f.DocValues = false
	return f
}

func dateField() *mapping.FieldMapping {
	f := mapping.NewDateTimeFieldMapping()
	f.Store = false // a stored date comes back in UTC; visit_start_text keeps the offset
	f.IncludeInAll = false
	f.DocValues = true // sorting and date-range facets read doc values
	return f
}

func storedOnlyField() *mapping.FieldMapping {
	f := mapping.NewTextFieldMapping()
	f.Index = false
	f.Store = true
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = false
	return f
}

// Document returns what is indexed for d, keyed by field name. Empty
// values are left out so that facets never count an empty string.
func Document(d visitarchive.IndexDoc) any {
	r := d.Record
	text := foldWidth(docText(d))
	doc := map[string]any{fieldText: text, fieldGrams: text}
	if pages := filePages(d.Files); len(pages) > 0 {
		doc[fieldFiles], doc[fieldFilesGrams] = pages, pages
	}
	put := func(field, v string) {
		if v != "" {
			doc[field] = v
		}
	}
	put(fieldCustomerID, string(r.CustomerID))
	put(fieldCustomerName, customerName(d))
	put(fieldDepartment, string(r.Department))
	put(fieldStatus, string(r.Status))
	put(fieldIntent, string(r.CooperationIntent))
	put(fieldPlanID, string(r.PlanID))
	put(fieldTopic, r.Topic)
	put(fieldCreatedBy, string(r.CreatedBy))
	if !r.SubmittedAt.IsZero() {
		put(fieldLate, strconv.FormatBool(r.Late))
	}
	put(fieldReviewer, string(r.Reviewer))
	put(fieldRefCode, r.ReferenceCode)
	put(fieldRetention, string(cmp.Or(d.Retention, r.Retention)))
	if c := d.Customer; c != nil {
		put(fieldCustomerType, string(c.Type))
		put(fieldBusinessArea, c.BusinessArea)
		put(fieldCountry, c.Country)
	}
	if vs := nonEmpty(r.Visitors); len(vs) > 0 {
		doc[fieldVisitors] = vs
	}
	if bs := nonEmpty(d.Blind); len(bs) > 0 {
		doc[fieldBlind] = bs
	}
	if !r.VisitStart.IsZero() {
		doc[fieldVisitStart] = r.VisitStart
		doc[fieldVisitStartAt] = r.VisitStart.Format(time.RFC3339Nano)
	}
	if due, ok := openDue(r); ok {
		doc[fieldOpenDue] = due
	}
	if !d.RetainUntil.IsZero() {
		doc[fieldRetainUntil] = d.RetainUntil
	}
	return doc
}

// openDue returns the deadline of a record that is still waiting for its
// first submission: a draft with a due time. Once submitted (even when
// returned since) it is no longer overdue, however late it came; Late
// keeps that. The index holds the deadline and not "overdue" itself,
// which depends on when the question is asked.
func openDue(r *visitarchive.Record) (time.Time, bool) {
	if r.Status != visitarchive.StatusDraft || r.DueAt.IsZero() {
		return time.Time{}, false
	}
	return r.DueAt, true
}

// filePages returns the pages of files that hold any text, each folded
// as text is: one value each, so that no phrase or pair of words spans
// two pages (Bleve matches a phrase within one value).
func filePages(files []visitarchive.FileText) []string {
	var out []string
	for _, f := range files {
		for _, p := range f.Pages {
			if strings.TrimSpace(p) != "" {
				out = append(out, foldWidth(p))
			}
		}
	}
	return out
}

// nonEmpty returns the non-empty values of vs as strings, a new slice:
// the document must not share memory with the caller's record.
func nonEmpty[T ~string](vs []T) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, string(v))
		}
	}
	return out
}

// docText is the record's free text, one non-empty field a line. The
// customer's current name is added when it differs from the name on the
// record, so that a renamed customer's old records are found by either.
func docText(d visitarchive.IndexDoc) string {
	var lines []string
	for _, s := range d.Record.Text() {
		if s = strings.TrimSpace(s); s != "" {
			lines = append(lines, s)
		}
	}
	if c := d.Customer; c != nil && c.Name != "" && c.Name != d.Record.CustomerName {
		lines = append(lines, c.Name)
	}
	return strings.Join(lines, "\n")
}

func customerName(d visitarchive.IndexDoc) string {
	if d.Record.CustomerName != "" || d.Customer == nil {
		return d.Record.CustomerName
	}
	return d.Customer.Name
}

// foldWidth turns full-width letters and digits (ＬＸ３０２１Ｂ, as Chinese
// input methods type them) into ASCII. It must run before tokenizing: the
// unicode tokenizer drops full-width digits ("ＩＳＯ９００１" gives only
// "iso"), so the cjk_width token filter comes too late for them. Text and
// queries are both folded. Full-width punctuation is left alone: it breaks
// words either way, and the stored text keeps its Chinese commas.
func foldWidth(s string) string {
	if !strings.ContainsFunc(s, isWideAlnum) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isWideAlnum(r) {
			return r - 0xFEE0
		}
		return r
	}, s)
}

func isWideAlnum(r rune) bool {
	return (r >= '０' && r <= '９') || (r >= 'Ａ' && r <= 'Ｚ') || (r >= 'ａ' && r <= 'ｚ')
}

// hanGap is a token filter that runs after cjk_bigram. cjk_bigram numbers
// its tokens consecutively even across a break in a run of Han characters,
// so "大数据。据中心" gives 大数 数据 据中 中心 at positions 1 2 3 4, and the
// phrase 数据 据中 中心 (the query 数据中心) would match text that does
// not contain 数据中心. hanGap leaves one position empty wherever two Han
// tokens do not overlap in the text, so a phrase of bigrams matches only a
// contiguous run.
type hanGap struct{}

func newHanGap(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
	return hanGap{}, nil
}

func (hanGap) Filter(in analysis.TokenStream) analysis.TokenStream {
	gap := 0
	var prev *analysis.Token
	for _, t := range in {
		if prev != nil && isHanToken(prev) && isHanToken(t) && !overlaps(prev, t) {
			gap++
		}
		t.Position += gap
		prev = t
	}
	return in
}

// isHanToken reports whether t came out of cjk_bigram: a bigram (Double)
// or a lone character (Single).
func isHanToken(t *analysis.Token) bool {
	return t.Type == analysis.Double || t.Type == analysis.Single
}

// overlaps reports whether b is the next bigram of the same run as a:
// they share a character.
func overlaps(a, b *analysis.Token) bool {
	return a.Type == analysis.Double && b.Type == analysis.Double && b.Start < a.End
}

// hanGrams is the token filter of the grams field. Of the tokens of the
// unicode tokenizer (after the filters text applies before cjk_bigram) it
// gives, as one token each:
//   - every run of three and of four Han characters (type Ideographic, as
//     cjk_bigram takes them) that stand together in the text;
//   - every two other tokens that follow each other with no token between
//     them, as "first second" (T/T gives "t t", LX-3021B "lx 3021b"): the
//     tokens that stand at consecutive positions of text, where a phrase
//     of the two would match.
//
// Everything else is dropped: text holds it.
type hanGrams struct{}

// Gram lengths: shorter words are one bigram of text, longer ones are
// covered by grams of maxGram.
const minGram, maxGram = 3, 4

func newHanGrams(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
	return hanGrams{}, nil
}

func (hanGrams) Filter(in analysis.TokenStream) analysis.TokenStream {
	var out analysis.TokenStream
	var run []*analysis.Token // one token per character, adjacent in the text
	flush := func() {
		for n := minGram; n <= maxGram; n++ {
			for i := 0; i+n <= len(run); i++ {
				var term []byte
				for _, c := range run[i : i+n] {
					term = append(term, c.Term...)
				}
				out = append(out, &analysis.Token{Term: term, Start: run[i].Start, End: run[i+n-1].End,
					Position: len(out) + 1, Type: analysis.Ideographic})
			}
		}
		run = run[:0]
	}
	var prev *analysis.Token // the token before t, when it is not Han
	for _, t := range in {
		if t.Type != analysis.Ideographic {
			flush()
			if prev != nil {
				out = append(out, &analysis.Token{Term: pairTerm(string(prev.Term), string(t.Term)),
					Start: prev.Start, End: t.End, Position: len(out) + 1, Type: analysis.AlphaNumeric})
			}
			prev = t
			continue
		}
		prev = nil
		off := 0
		for _, r := range string(t.Term) {
			n := utf8.RuneLen(r)
			c := &analysis.Token{Term: t.Term[off : off+n], Start: t.Start + off, End: t.Start + off + n}
			if len(run) > 0 && run[len(run)-1].End != c.Start {
				flush()
			}
			run = append(run, c)
			off += n
		}
	}
	flush()
	return out
}

// pairTerm is the grams term of two words that stand side by side. No
// token holds a space.
func pairTerm(first, second string) []byte {
	return []byte(first + " " + second)
}

// possessive is a token filter that drops a final 's or ’s: the unicode
// tokenizer keeps "Müller's" as one word, and a search for Müller or
// customer must find "Müller's" and "the customer's". Other apostrophes
// stay (O'Brien is not O).
type possessive struct{}

func newPossessive(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
	return possessive{}, nil
}

func (possessive) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		for _, suffix := range [][]byte{[]byte("'s"), []byte("’s")} {
			if len(t.Term) > len(suffix) && bytes.HasSuffix(t.Term, suffix) {
				t.Term = t.Term[:len(t.Term)-len(suffix)]
				break
			}
		}
	}
	return in
}
