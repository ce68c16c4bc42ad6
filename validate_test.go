package visitarchive_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// rangeFields lists the fields that err reports as outside the range of
// times the archive accepts.
func rangeFields(err error) []string {
	var out []string
	for _, f := range va.ErrorFields(err) {
		if strings.Contains(f.Message, "between 1900-01-01 and 2200-01-01") {
			out = append(out, f.Field)
		}
	}
	return out
}

// TestTimeRange holds every time a person gives (visits, plans, search
// ranges) to one range, 1900-01-01 to 2200-01-01: outside it the index
// cannot hold the time and a deadline cannot be written as JSON.
func TestTimeRange(t *testing.T) {
	times := []struct {
		name string
		t    time.Time
		ok   bool
	}{
		{"year 0", time.Date(0, 3, 1, 9, 0, 0, 0, time.UTC), false},
		{"1500", time.Date(1500, 3, 1, 9, 0, 0, 0, time.UTC), false},
		{"just before 1900", time.Date(1899, 12, 31, 23, 59, 59, 0, time.UTC), false},
		{"1900-01-01", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"2026", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), true},
		{"2200-01-01", time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"just after 2200-01-01", time.Date(2200, 1, 1, 0, 0, 1, 0, time.UTC), false},
		{"2300", time.Date(2300, 3, 1, 9, 0, 0, 0, time.UTC), false},
		{"9999-12-31", time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), false},
	}
	surfaces := []struct {
		field string
		check func(tm time.Time) error
	}{
		{"visit_start", func(tm time.Time) error { r := validRecord(); r.VisitStart = tm; return r.Validate() }},
		{"visit_end", func(tm time.Time) error { r := validRecord(); r.VisitEnd = tm; return r.Validate() }},
		{"plan visit_start", func(tm time.Time) error { p := validPlan(); p.VisitStart = tm; return p.Validate() }},
		{"plan visit_end", func(tm time.Time) error { p := validPlan(); p.VisitEnd = tm; return p.Validate() }},
		{"from", func(tm time.Time) error { q := va.SearchQuery{From: tm}; return q.Normalize() }},
		{"to", func(tm time.Time) error { q := va.SearchQuery{To: tm}; return q.Normalize() }},
	}
	for _, s := range surfaces {
		for _, tt := range times {
			t.Run(s.field+" "+tt.name, func(t *testing.T) {
				field := strings.TrimPrefix(s.field, "plan ")
				got := rangeFields(s.check(tt.t))
				var want []string
				if !tt.ok {
					want = []string{field}
				}
				if !slices.Equal(got, want) {
					t.Errorf("out of range: %v, want %v", got, want)
				}
			})
		}
	}
}

func validPlan() va.Plan {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return va.Plan{CustomerID: "C1", VisitStart: start, VisitEnd: start.Add(time.Hour),
		Location: "Hamburg", Purpose: "offer", Visitors: []va.UserName{"alice"}}
}

// TestTextRefusesControlCharacters holds free text to characters: no
// invalid UTF-8 and no control character but tab, line feed and carriage
// return, in every field the text check guards.
func TestTextRefusesControlCharacters(t *testing.T) {
	tests := []struct {
		name, v string
		ok      bool
	}{
		{"plain", "讨论了 LX-3021B", true},
		{"tab and line breaks", "one\ttwo\r\nthree\n", true},
		{"a literal replacement character", "\uFFFD", true},
		{"NUL", "a\x00b", false},
		{"bell", "a\x07", false},
		{"escape", "\x1b[31mred", false},
		{"unit separator", "a\x1fb", false},
		{"invalid UTF-8", "a\xffb", false},
	}
	surfaces := []struct {
		field string
		check func(v string) error
	}{
		{"topic", func(v string) error { r := validRecord(); r.Topic = v; return r.Validate() }},
		{"summary", func(v string) error { r := validRecord(); r.Summary = v; return r.Validate() }},
		{"decision_chain[0].notes", func(v string) error {
			r := validRecord()
			r.DecisionChain = []va.DecisionMaker{{Name: "王总", Attitude: "support", Notes: v}}
			return r.Validate()
		}},
		{"purpose", func(v string) error { p := validPlan(); p.Purpose = v; return p.Validate() }},
		{"topics[0]", func(v string) error { p := validPlan(); p.Topics = []string{v}; return p.Validate() }},
		{"name", func(v string) error {
			c := va.Customer{Name: "Acme " + v, Type: "key"}
			return c.Validate()
		}},
		{"q", func(v string) error { q := va.SearchQuery{Text: v}; return q.Normalize() }},
	}
	for _, s := range surfaces {
		for _, tt := range tests {
			t.Run(s.field+" "+tt.name, func(t *testing.T) {
				err := s.check(tt.v)
				got := slices.ContainsFunc(va.ErrorFields(err), func(f va.FieldError) bool { return f.Field == s.field })
				if got == tt.ok {
					t.Errorf("%q: field %s reported %v, want %v (err %v)", tt.v, s.field, got, !tt.ok, err)
				}
			})
		}
	}
}

// TestCheckJSONText finds in raw JSON what encoding/json would silently
// turn into U+FFFD: bytes that are not UTF-8, and \u escapes of half a
// surrogate pair, naming the field that holds one.
func TestCheckJSONText(t *testing.T) {
	tests := []struct {
		name, json string
		kind       va.Kind // 0 (Internal) for no error
		field      string
	}{
		{"plain", `{"topic":"讨论 LX-3021B","n":1,"a":[true,null]}`, 0, ""},
		{"a pair", `{"topic":"\ud83d\ude00 and \uD83D\uDE00"}`, 0, ""},
		{"an escaped backslash", `{"topic":"C:\\ud800"}`, 0, ""},
		{"a literal replacement character", `{"topic":"` + "\uFFFD" + `"}`, 0, ""},
		{"its escape", `{"topic":"\ufffd"}`, 0, ""},
		{"not UTF-8", "{\"topic\":\"a\xffb\"}", va.BadRequest, ""},
		{"a lone high surrogate", `{"topic":"\ud800"}`, va.Invalid, "topic"},
		{"upper case", `{"topic":"x\uD800y"}`, va.Invalid, "topic"},
		{"a lone low surrogate", `{"topic":"\udc00"}`, va.Invalid, "topic"},
		{"two high ones", `{"topic":"\ud800\ud800"}`, va.Invalid, "topic"},
		{"high then a letter", `{"topic":"\ud800\u0041"}`, va.Invalid, "topic"},
		{"at the end of a pair", `{"topic":"\ud83d\ude00\ude00"}`, va.Invalid, "topic"},
		{"deep", `{"a":1,"decision_chain":[{"name":"x"},{"name":"y","notes":"\udfff"}]}`, va.Invalid, "decision_chain[1].notes"},
		{"in a list", `{"topics":["a","b","\ud800"]}`, va.Invalid, "topics[2]"},
		{"in a name", `{"ok":"x","\ud800":1}`, va.Invalid, "\uFFFD"},
		{"after nested values", `{"a":{"b":[1,{"c":2}]},"d":"\udc00"}`, va.Invalid, "d"},
		{"malformed, left to the decoder", `{"topic":"x" "\ud800"}`, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := va.CheckJSONText("test", "body", []byte(tt.json))
			if tt.kind == 0 {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			if !va.IsKind(err, tt.kind) {
				t.Fatalf("error %v, want kind %v", err, tt.kind)
			}
			var fields []string
			for _, f := range va.ErrorFields(err) {
				fields = append(fields, f.Field)
			}
			var want []string
			if tt.field != "" {
				want = []string{tt.field}
			}
			if !slices.Equal(fields, want) {
				t.Errorf("fields %q, want %q", fields, want)
			}
		})
	}
}

// TestImportRefusesNonText rejects an import line that is not UTF-8 or
// escapes half a surrogate pair, instead of storing U+FFFD in its place.
func TestImportRefusesNonText(t *testing.T) {
	e := newEnv(t)
	lines := []string{
		`{"customer":{"id":"C1","name":"Acme","customer_type":"regular"}}`,
		"{\"customer\":{\"id\":\"C2\",\"name\":\"Acme \xff\",\"customer_type\":\"regular\"}}",
		`{"record":{"id":"R1","customer_id":"C1","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z","summary":"x\ud800"}}`,
		`{"record":{"id":"R2","customer_id":"C1","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z","summary":"x\u0000"}}`,
		`{"record":{"id":"R3","customer_id":"C1","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z","summary":"\ud83d\ude00"}}`,
	}
	rep, err := e.Archive.Import(as(t, "carol"), strings.NewReader(strings.Join(lines, "\n")), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int][]string{}
	for _, r := range rep.Rejected {
		got[r.Line] = nil
		for _, f := range va.ErrorFields(r.Error) {
			got[r.Line] = append(got[r.Line], f.Field)
		}
	}
	want := map[int][]string{2: nil, 3: {"record.summary"}, 4: {"summary"}}
	if len(got) != len(want) || !slices.Equal(got[3], want[3]) || !slices.Equal(got[4], want[4]) || rep.Records != 1 || rep.Customers != 1 {
		t.Errorf("rejected %v, want %v; %d customers and %d records imported, want 1 and 1", got, want, rep.Customers, rep.Records)
	}
}
