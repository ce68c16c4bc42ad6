package index

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/visitarchive/visitarchive"
)

// Facets and sort orders read, for every match, the record's keyword
// values and its visit_start. Bleve reads them from doc values, decoding
// every field's chunks again on every search: at 100,000 records that was
// half of a search's time. A segment of a Bleve index never changes once
// written, so each shard keeps the values of each of its segments decoded
// in a table, built the first time a search meets the segment and dropped
// once the shard no longer has it. A search then counts and sorts from
// the tables (collect.go).

// noTime marks an absent visit_start or open_due in a table.
const noTime = math.MinInt64

// tableFields are the doc-value fields a table holds: the facet fields
// (a value's field is its index in visitarchive.FacetFields), then the
// two dates.
var tableFields = append(append([]string(nil), visitarchive.FacetFields...), fieldVisitStart, fieldOpenDue, fieldRetainUntil)

// facetValue is one value of one facet field.
type facetValue struct {
	field int // index in visitarchive.FacetFields
	value string
}

// segTable holds the sort and facet values of every document of one
// segment, by local document number, deleted ones included.
type segTable struct {
	ids   []string // record IDs
	start []int64  // visit_start in Unix nanoseconds, or noTime
	due   []int64  // open_due in Unix nanoseconds, or noTime
	keep  []int64  // retain_until in Unix nanoseconds, or noTime
	// Document n's facet values are values[vals[off[n]:off[n+1]]].
	off    []uint32
	vals   []uint32
	values []facetValue
}

// buildTable reads the table of seg from its doc values.
func buildTable(seg segment.Segment) (*segTable, error) {
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("index segment %T has no doc values", seg)
	}
	n := seg.Count()
	t := &segTable{ids: make([]string, n), start: make([]int64, n), due: make([]int64, n),
		keep: make([]int64, n),
		off:  make([]uint32, 1, n+1)}
	fieldOf := make(map[string]int, len(tableFields))
	for i, f := range tableFields {
		fieldOf[f] = i
	}
	intern := map[facetValue]uint32{}
	var doc uint64
	visit := func(field string, term []byte) {
		i, ok := fieldOf[field]
		switch {
		case !ok:
		case i >= len(visitarchive.FacetFields):
			if v, ok := dateValue(term); ok {
				col := t.start
				switch field {
				case fieldOpenDue:
					col = t.due
				case fieldRetainUntil:
					col = t.keep
				}
				col[doc] = v
			}
		default:
			fv := facetValue{field: i, value: string(term)}
			code, ok := intern[fv]
			if !ok {
				code = uint32(len(t.values))
				intern[fv] = code
				t.values = append(t.values, fv)
			}
			t.vals = append(t.vals, code)
		}
	}
	var state segment.DocVisitState
	for doc = 0; doc < n; doc++ {
		t.start[doc], t.due[doc], t.keep[doc] = noTime, noTime, noTime
		var err error
		if state, err = dv.VisitDocValues(doc, tableFields, visit, state); err != nil {
			return nil, err
		}
		t.off = append(t.off, uint32(len(t.vals)))
	}
	if err := readIDs(seg, t.ids); err != nil {
		return nil, err
	}
	return t, nil
}

// readIDs fills ids, by local document number, from the terms of the
// _id field. Each id's postings list holds its document inline in the
// term dictionary, so this reads no stored fields: seg.DocID would read
// the start of every document's stored fields, and so bring the whole
// stored section of the segment (the text kept for highlighting) into
// memory.
func readIDs(seg segment.Segment, ids []string) error {
	dict, err := seg.Dictionary("_id")
	if err != nil {
		return fmt.Errorf("index segment: reading the _id terms: %w", err)
	}
	terms := dict.AutomatonIterator(nil, nil, nil)
	var pl segment.PostingsList
	var docs segment.PostingsIterator
	for {
		e, err := terms.Next()
		if err != nil {
			return fmt.Errorf("index segment: reading the _id terms: %w", err)
		}
		if e == nil {
			break
		}
		if pl, err = dict.PostingsList([]byte(e.Term), nil, pl); err != nil {
			return fmt.Errorf("index segment: postings of id %q: %w", e.Term, err)
		}
		docs = pl.Iterator(false, false, false, docs)
		for {
			p, err := docs.Next()
			if err != nil {
				return fmt.Errorf("index segment: postings of id %q: %w", e.Term, err)
			}
			if p == nil {
				break
			}
			if n := p.Number(); n < uint64(len(ids)) {
				ids[n] = e.Term
			}
		}
	}
	for n, id := range ids {
		if id == "" {
			return fmt.Errorf("index segment: document %d has no id", n)
		}
	}
	return nil
}

// dateValue decodes the full-precision term of a date field's doc values
// (Bleve also stores shifted, coarser terms for range queries).
func dateValue(term []byte) (int64, bool) {
	pc := numeric.PrefixCoded(term)
	if shift, err := pc.Shift(); err != nil || shift != 0 {
		return 0, false
	}
	v, err := pc.Int64()
	return v, err == nil
}

// tableCache holds the tables of one shard's segments, by segment id.
type tableCache struct {
	mu     sync.Mutex
	tables map[uint64]*tableEntry
}

type tableEntry struct {
	once  sync.Once
	t     *segTable
	err   error
	built atomic.Bool // t or err is set
}

// snapTables are the tables of every segment of one snapshot of a shard.
type snapTables struct {
	first  []uint64 // the global number of each segment's first document
	tables []*segTable
}

// forSnapshot returns the tables of snap's segments, building missing
// ones, and forgets the tables of segments snap no longer has (merged
// away). A search on an older snapshot that runs at the same time may
// build one of those again; that costs time, never a wrong count.
func (c *tableCache) forSnapshot(snap *scorch.IndexSnapshot) (*snapTables, error) {
	segs := snap.Segments()
	entries := make([]*tableEntry, len(segs))
	c.mu.Lock()
	if c.tables == nil {
		c.tables = map[uint64]*tableEntry{}
	}
	live := make(map[uint64]bool, len(segs))
	for i, ss := range segs {
		live[ss.Id()] = true
		e := c.tables[ss.Id()]
		if e == nil {
			e = &tableEntry{}
			c.tables[ss.Id()] = e
		}
		entries[i] = e
	}
	for id := range c.tables {
		if !live[id] {
			delete(c.tables, id)
		}
	}
	c.mu.Unlock()

	st := &snapTables{first: make([]uint64, len(segs)), tables: make([]*segTable, len(segs))}
	var next uint64
	for i, ss := range segs {
		e := entries[i]
		e.once.Do(func() {
			e.t, e.err = buildTable(ss.Segment())
			e.built.Store(true)
		})
		if e.err != nil {
			return nil, e.err
		}
		// Global document numbers run through the segments in order, each
		// segment counting its deleted documents too (scorch's offsets).
		st.first[i] = next
		next += ss.Segment().Count()
		st.tables[i] = e.t
	}
	return st, nil
}

// locate returns the segment and the local number of a global document
// number. Matches arrive in increasing order, so hint (the last segment
// found) is almost always right.
func (st *snapTables) locate(global uint64, hint int) (seg int, local uint64) {
	if hint < len(st.first) && st.first[hint] <= global &&
		(hint+1 == len(st.first) || global < st.first[hint+1]) {
		return hint, global - st.first[hint]
	}
	lo, hi := 0, len(st.first)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if st.first[mid] <= global {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo, global - st.first[lo]
}

// warmDelay is how long the index must go without an Apply before it
// builds the tables of its new segments in the background, so that the
// first search after a bulk import or a merge need not build them. A bulk
// import, which applies without pause, builds none on the way.
const warmDelay = 2 * time.Second

// scheduleWarm (re)starts the countdown to warm.
func (ix *Index) scheduleWarm() {
	ix.warmMu.Lock()
	defer ix.warmMu.Unlock()
	if ix.warmTimer == nil {
		ix.warmTimer = time.AfterFunc(warmDelay, ix.warm)
		return
	}
	ix.warmTimer.Reset(warmDelay)
}

// warm builds the tables of every shard's current segments. A failure
// only leaves the work to the next search, which reports it. It holds
// off Close, which would unmap the segments it reads.
func (ix *Index) warm() {
	ix.warming.RLock()
	defer ix.warming.RUnlock()
	for i, s := range ix.shards {
		if ix.closed.Load() {
			return
		}
		bi, err := s.Advanced()
		if err != nil {
			return
		}
		r, err := bi.Reader()
		if err != nil {
			return
		}
		if snap, ok := r.(*scorch.IndexSnapshot); ok {
			_, _ = ix.tables[i].forSnapshot(snap)
		}
		_ = r.Close()
	}
}
