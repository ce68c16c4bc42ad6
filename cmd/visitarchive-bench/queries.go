package main

import (
	"math/rand/v2"
	"strings"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// benchQuery is one query of the set, with the kind it is counted under.
type benchQuery struct {
	Kind string         `json:"kind"`
	Q    va.SearchQuery `json:"q"`
}

// pageSize is the page size of every query, as the search page uses.
const pageSize = 20

// Queries returns the query set of the corpus: about 200 queries of the
// kinds a user types, from their own PCG stream so that they do not depend
// on how many records were generated. Every word and model number comes
// from the vocabulary the corpus is made of.
func (g *generator) Queries(seed uint64) []benchQuery {
	qg := &queryGen{g: g, rng: rand.New(rand.NewPCG(seed, 0x7175657279))}
	qg.add("zh-word", 40, func() va.SearchQuery { return qg.text(qg.zhWord()) })
	qg.add("zh-product", 10, func() va.SearchQuery { return qg.text(pick(qg.rng, pick(qg.rng, areas).products).zh) })
	qg.add("en-word", 25, func() va.SearchQuery { return qg.text(qg.enWord()) })
	qg.add("model", 25, func() va.SearchQuery { return qg.text(qg.model()) })
	qg.add("customer", 20, func() va.SearchQuery { return qg.text(qg.customerName()) })
	qg.add("mixed", 15, func() va.SearchQuery { return qg.text(qg.zhWord() + " " + qg.anyText()) })
	qg.add("filtered", 40, func() va.SearchQuery {
		q := qg.text(qg.anyText())
		qg.filter(&q, 1+qg.rng.IntN(3))
		q.Sort = pick(qg.rng, []string{va.SortRelevance, va.SortVisitStart, va.SortVisitStartDesc})
		return q
	})
	qg.add("browse", 15, func() va.SearchQuery {
		q := va.SearchQuery{Sort: va.SortVisitStartDesc, Page: 1, Size: pageSize}
		qg.filter(&q, 1+qg.rng.IntN(2))
		return q
	})
	qg.add("paged", 10, func() va.SearchQuery {
		q := qg.text(zhTerms[qg.rng.IntN(10)])
		q.Page, q.Sort = 2+qg.rng.IntN(4), va.SortVisitStart
		return q
	})
	return qg.out
}

type queryGen struct {
	g   *generator
	rng *rand.Rand
	out []benchQuery
}

func (qg *queryGen) add(kind string, k int, make func() va.SearchQuery) {
	for range k {
		qg.out = append(qg.out, benchQuery{Kind: kind, Q: make()})
	}
}

func (qg *queryGen) text(s string) va.SearchQuery {
	return va.SearchQuery{Text: s, Sort: va.SortRelevance, Page: 1, Size: pageSize}
}

// zhWord is a Chinese business word, common and rare ones alike.
func (qg *queryGen) zhWord() string { return pick(qg.rng, zhTerms) }

// enWord is an English trade term or one word of a product name.
func (qg *queryGen) enWord() string {
	if qg.rng.IntN(2) == 0 {
		return pick(qg.rng, enTerms)
	}
	words := strings.Fields(pick(qg.rng, pick(qg.rng, areas).products).en)
	return pick(qg.rng, words)
}

func (qg *queryGen) model() string { return pick(qg.rng, pick(qg.rng, qg.g.models)) }

// customerName is a customer's full name, or the distinctive part of it:
// 华强电子 of 深圳华强电子有限公司, Müller Logistics of Müller Logistics GmbH.
func (qg *queryGen) customerName() string {
	c := pick(qg.rng, qg.g.customers)
	if qg.rng.IntN(2) == 0 {
		return c.Name
	}
	if c.Country == "CN" {
		for _, city := range cnCities {
			if rest, ok := strings.CutPrefix(c.Name, city); ok {
				for _, suffix := range cnSuffixes {
					if core, ok := strings.CutSuffix(rest, suffix); ok {
						return core
					}
				}
			}
		}
		return c.Name
	}
	f := strings.Fields(c.Name)
	return strings.Join(f[:len(f)-1], " ")
}

// anyText is a word of any kind.
func (qg *queryGen) anyText() string {
	switch qg.rng.IntN(4) {
	case 0:
		return qg.zhWord()
	case 1:
		return qg.enWord()
	case 2:
		return qg.model()
	}
	return pick(qg.rng, pick(qg.rng, areas).products).zh
}

// filter adds k different filters to q.
func (qg *queryGen) filter(q *va.SearchQuery, k int) {
	kinds := []func(){
		func() { q.CustomerType = pick(qg.rng, []string{"key", "regular", "prospect"}) },
		func() { q.Department = va.DepartmentID(pick(qg.rng, departments)) },
		func() { q.Intent = pick(qg.rng, va.Intents) },
		func() { q.Country = countries[pickCountry(qg.rng)].code },
		func() { q.BusinessArea = pick(qg.rng, areas).name },
		func() { q.From, q.To = qg.dateRange() },
		func() { q.Visitor = va.UserName(pick(qg.rng, users)) },
		func() { q.CustomerID = pick(qg.rng, qg.g.customers).ID },
	}
	for _, i := range qg.rng.Perm(len(kinds))[:k] {
		kinds[i]()
	}
}

// dateRange is a quarter, half year or year between 2022 and 2026.
func (qg *queryGen) dateRange() (from, to time.Time) {
	zone := time.FixedZone("", 8*3600)
	months := pick(qg.rng, []int{3, 6, 12})
	start := time.Date(2022+qg.rng.IntN(5), time.Month(1+3*qg.rng.IntN(4)), 1, 0, 0, 0, 0, zone)
	return start, start.AddDate(0, months, 0)
}
