package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/disk"
)

func corpus(t *testing.T, seed uint64, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := newGenerator(seed, n).WriteCorpus(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGeneratorDeterministic(t *testing.T) {
	a, b := corpus(t, 7, 200), corpus(t, 7, 200)
	if !bytes.Equal(a, b) {
		t.Fatal("two corpora of the same seed differ")
	}
	if c := corpus(t, 8, 200); bytes.Equal(a, c) {
		t.Error("corpora of seeds 7 and 8 are the same")
	}
	qa, qb := newGenerator(7, 200).Queries(7), newGenerator(7, 200).Queries(7)
	if !reflect.DeepEqual(qa, qb) {
		t.Error("two query sets of the same seed differ")
	}
	// The queries must not depend on how much of the corpus was generated.
	g := newGenerator(7, 200)
	if err := g.WriteCorpus(&bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if qc := g.Queries(7); !reflect.DeepEqual(qa, qc) {
		t.Error("the query set changed after generating the corpus")
	}
}

// TestGeneratorValid decodes every line as Import does and validates it.
func TestGeneratorValid(t *testing.T) {
	const n = 200
	data := corpus(t, 1, n)
	customers := map[va.CustomerID]bool{}
	records := map[va.RecordID]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	var summaries, line int
	for sc.Scan() {
		line++
		var l importLine
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		switch {
		case l.Customer != nil && l.Record == nil:
			if err := l.Customer.Validate(); err != nil {
				t.Errorf("line %d: %v %v", line, err, va.ErrorFields(err))
			}
			if customers[l.Customer.ID] {
				t.Errorf("line %d: customer %s twice", line, l.Customer.ID)
			}
			customers[l.Customer.ID] = true
		case l.Record != nil && l.Customer == nil:
			r := l.Record
			if err := r.Validate(); err != nil {
				t.Errorf("line %d: %v %v", line, err, va.ErrorFields(err))
			}
			if !customers[r.CustomerID] {
				t.Errorf("line %d: customer %s not on an earlier line", line, r.CustomerID)
			}
			if records[r.ID] {
				t.Errorf("line %d: record %s twice", line, r.ID)
			}
			records[r.ID] = true
			if n := len(r.Summary); n < 900 || n > 1500 {
				t.Errorf("line %d: summary of %d bytes, want about 1 KB", line, n)
			}
			if !strings.ContainsFunc(r.Summary, func(c rune) bool { return c >= 0x4E00 && c <= 0x9FFF }) {
				t.Errorf("line %d: summary has no Chinese: %q", line, r.Summary)
			}
			summaries += utf8.RuneCountInString(r.Summary)
		default:
			t.Fatalf("line %d: want exactly one of customer and record", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := len(records), n; got != want {
		t.Errorf("got %d records, want %d", got, want)
	}
	if got, want := len(customers), customersFor(n); got != want {
		t.Errorf("got %d customers, want %d", got, want)
	}
}

func TestQueries(t *testing.T) {
	qs := newGenerator(1, 200).Queries(1)
	if n := len(qs); n < 150 || n > 250 {
		t.Errorf("got %d queries, want about 200", n)
	}
	for i, bq := range qs {
		q := bq.Q
		if err := q.Normalize(); err != nil {
			t.Errorf("query %d (%s) %+v: %v %v", i, bq.Kind, bq.Q, err, va.ErrorFields(err))
		}
		if q.Size != pageSize {
			t.Errorf("query %d: size %d, want %d", i, q.Size, pageSize)
		}
	}
}

// TestTimedKeepsBatchStore guards the timing wrapper: hiding PutBatch
// would send imports down the slow path and measure the wrong thing.
func TestTimedKeepsBatchStore(t *testing.T) {
	st, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok := timed(st, newLayerTimes()).(va.BatchStore); !ok {
		t.Error("timed hides the disk store's BatchStore")
	}
}
