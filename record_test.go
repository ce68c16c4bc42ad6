package visitarchive_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
)

func validRecord() va.Record {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return va.Record{CustomerID: "C1", VisitStart: start, VisitEnd: start.Add(time.Hour)}
}

func TestRecordValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(r *va.Record)
		fields []string // the fields reported, in order; none means valid
	}{
		{"minimal draft", func(r *va.Record) {}, nil},
		{"no customer", func(r *va.Record) { r.CustomerID = "" }, []string{"customer_id"}},
		{"customer id with a slash", func(r *va.Record) { r.CustomerID = "a/b" }, []string{"customer_id"}},
		{"no times", func(r *va.Record) { r.VisitStart, r.VisitEnd = time.Time{}, time.Time{} }, []string{"visit_start", "visit_end"}},
		{"ends before it starts", func(r *va.Record) { r.VisitEnd = r.VisitStart.Add(-time.Minute) }, []string{"visit_end"}},
		{"unknown intent", func(r *va.Record) { r.CooperationIntent = "maybe" }, []string{"cooperation_intent"}},
		{"bad phone and e-mail", func(r *va.Record) { r.ContactPhone, r.ContactEmail = "call me", "x@" }, []string{"contact_phone", "contact_email"}},
		{"good phone and e-mail", func(r *va.Record) { r.ContactPhone, r.ContactEmail = "+86 755-1234 5678", "li@example.com" }, nil},
		{"topic too long", func(r *va.Record) { r.Topic = strings.Repeat("题", 201) }, []string{"topic"}},
		{"bad visitor", func(r *va.Record) { r.Visitors = []va.UserName{"ok", "not ok"} }, []string{"visitors[1]"}},
		{"decision chain", func(r *va.Record) {
			r.DecisionChain = []va.DecisionMaker{{Name: "王总", Attitude: "support"}, {Attitude: "hostile"}}
		}, []string{"decision_chain[1].name", "decision_chain[1].attitude"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRecord()
			tt.edit(&r)
			err := r.Validate()
			var got []string
			for _, f := range va.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields reported %v, want %v (err %v)", got, tt.fields, err)
			}
			if tt.fields != nil && !va.IsKind(err, va.Invalid) {
				t.Errorf("kind %v, want Invalid", va.ErrorKind(err))
			}
		})
	}
}

func TestNewIDSortsByTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := va.NewID("R", t0), va.NewID("R", t0.Add(time.Millisecond))
	if len(a) != 27 || !va.ValidID(a) || a >= b {
		t.Errorf("NewID gave %q then %q; want 27 valid characters in time order", a, b)
	}
}

func TestParseVersionKey(t *testing.T) {
	prefix, id, v, ok := va.ParseVersionKey(va.RecordKey("R1", 12))
	if !ok || prefix != va.RecordsPrefix || id != "R1" || v != 12 {
		t.Errorf("ParseVersionKey(RecordKey) = %q %q %d %v", prefix, id, v, ok)
	}
	for _, bad := range []string{"records/R1/12.json", "journal/00000000000000000001.json", "records/../0000000001.json"} {
		if _, _, _, ok := va.ParseVersionKey(bad); ok {
			t.Errorf("ParseVersionKey(%q) accepted it", bad)
		}
	}
}
