package retention_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/retention"
)

func class(customerType, area string) va.Class {
	return va.Class{CustomerType: customerType, BusinessArea: area, Year: 2025}
}

func TestScheduleRetention(t *testing.T) {
	s := &retention.Schedule{
		Rules: []retention.Rule{
			{CustomerType: "key", Retention: va.RetainD30},
			{BusinessArea: "defence", Retention: va.RetainPermanent},
			{CustomerType: "key", BusinessArea: "textiles", Retention: va.RetainD10},
			{CustomerType: "prospect", Retention: va.RetainD10},
			{BusinessArea: "machinery", Retention: va.RetainD30},
			// A later duplicate never wins.
			{CustomerType: "key", BusinessArea: "textiles", Retention: va.RetainPermanent},
			// A catch-all, less specific than every other rule.
			{Retention: va.RetainD30},
		},
		Default: va.RetainD10, // unreachable here because of the catch-all
	}
	tests := []struct {
		name  string
		class va.Class
		want  va.Retention
	}{
		{"both fields beat one", class("key", "textiles"), va.RetainD10},
		{"customer type alone", class("key", "chemicals"), va.RetainD30},
		{"business area alone", class("regular", "defence"), va.RetainPermanent},
		{"equally specific: first listed wins", class("key", "defence"), va.RetainD30},
		{"equally specific, the other order", class("prospect", "machinery"), va.RetainD10},
		{"catch-all rule beats the default", class("regular", "chemicals"), va.RetainD30},
		{"empty class matches only the catch-all", class("", ""), va.RetainD30},
		{"matching is exact", class("Key", "Textiles"), va.RetainD30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Retention(tt.class); got != tt.want {
				t.Errorf("Retention(%+v) = %q, want %q", tt.class, got, tt.want)
			}
		})
	}
}

func TestScheduleRetentionDefault(t *testing.T) {
	s := &retention.Schedule{
		Rules:   []retention.Rule{{CustomerType: "key", BusinessArea: "textiles", Retention: va.RetainPermanent}},
		Default: va.RetainD30,
	}
	for _, c := range []va.Class{class("key", "chemicals"), class("regular", "textiles"), {}} {
		if got := s.Retention(c); got != va.RetainD30 {
			t.Errorf("Retention(%+v) = %q, want the default %q", c, got, va.RetainD30)
		}
	}
	if got := (&retention.Schedule{Default: va.RetainPermanent}).Retention(class("key", "x")); got != va.RetainPermanent {
		t.Errorf("schedule without rules: Retention = %q, want the default %q", got, va.RetainPermanent)
	}
}

func TestDefaultSchedule(t *testing.T) {
	s := retention.DefaultSchedule()
	if err := s.Validate(); err != nil {
		t.Fatalf("DefaultSchedule().Validate() = %v", err)
	}
	tests := []struct {
		class va.Class
		want  va.Retention
	}{
		{class("key", "machinery"), va.RetainD30},
		{class("key", ""), va.RetainD30},
		{class("regular", "machinery"), va.RetainD10},
		{class("prospect", "textiles"), va.RetainD10},
		{class("", ""), va.RetainD10},
	}
	for _, tt := range tests {
		if got := s.Retention(tt.class); got != tt.want {
			t.Errorf("Retention(%+v) = %q, want %q", tt.class, got, tt.want)
		}
	}
	// Each call gets its own copy: a caller that edits one cannot change
	// the next.
	s.Rules[0].Retention = va.RetainPermanent
	if got := retention.DefaultSchedule().Retention(class("key", "")); got != va.RetainD30 {
		t.Errorf("after editing a returned schedule, DefaultSchedule gives key customers %q, want D30", got)
	}
}

func TestScheduleValidate(t *testing.T) {
	tests := []struct {
		name       string
		s          retention.Schedule
		wantFields []string // nil when valid
		wantText   []string // substrings of the error
	}{
		{"valid", retention.Schedule{
			Rules: []retention.Rule{
				{CustomerType: "key", Retention: va.RetainD30},
				{CustomerType: "key", BusinessArea: "defence", Retention: va.RetainPermanent},
				{BusinessArea: "key", Retention: va.RetainD30}, // same value, other field: no duplicate
			},
			Default: va.RetainD10,
		}, nil, nil},
		{"no rules", retention.Schedule{Default: va.RetainPermanent}, nil, nil},
		{"missing default", retention.Schedule{}, []string{"default"}, []string{"default: is required (D10, D30 or Y)"}},
		{"unknown default", retention.Schedule{Default: "D5"}, []string{"default"}, []string{`"D5" is not a retention period (D10, D30 or Y)`}},
		{"unknown and missing retention", retention.Schedule{
			Rules: []retention.Rule{
				{CustomerType: "key", Retention: va.RetainD30},
				{CustomerType: "regular", Retention: "d10"},
				{BusinessArea: "textiles"},
			},
			Default: va.RetainD10,
		}, []string{"rules[1].retention", "rules[2].retention"}, []string{`"d10" is not a retention period`, "is required"}},
		{"duplicates", retention.Schedule{
			Rules: []retention.Rule{
				{CustomerType: "key", Retention: va.RetainD30},
				{BusinessArea: "textiles", Retention: va.RetainD10},
				{CustomerType: "key", Retention: va.RetainPermanent},
				{BusinessArea: "textiles", Retention: va.RetainD10},
				{CustomerType: "key", Retention: va.RetainD10},
			},
			Default: va.RetainD10,
		}, []string{"rules[2]", "rules[3]", "rules[4]"}, []string{
			`rules[2]: duplicates rules[0] (customer_type "key", business_area any) and would never apply`,
			`rules[3]: duplicates rules[1] (customer_type any, business_area "textiles")`,
			`rules[4]: duplicates rules[0]`,
		}},
		{"spaces around a value", retention.Schedule{
			Rules:   []retention.Rule{{CustomerType: "key ", BusinessArea: " textiles", Retention: va.RetainD30}},
			Default: va.RetainD10,
		}, []string{"rules[0].customer_type", "rules[0].business_area"}, []string{"spaces around it"}},
		{"every problem at once", retention.Schedule{
			Rules: []retention.Rule{
				{CustomerType: "key", Retention: "forever"},
				{CustomerType: "key", Retention: "forever"},
			},
			Default: "",
		}, []string{"default", "rules[0].retention", "rules[1].retention", "rules[1]"}, []string{"4 problem(s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if tt.wantFields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors on %v", tt.wantFields)
			}
			if k := va.ErrorKind(err); k != va.Invalid {
				t.Errorf("kind = %v, want %v", k, va.Invalid)
			}
			var got []string
			for _, f := range va.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, tt.wantFields) {
				t.Errorf("fields = %q, want %q (error: %v)", got, tt.wantFields, err)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestScheduleJSON(t *testing.T) {
	const config = `{
		"rules": [
			{"customer_type": "key", "retention": "D30"},
			{"customer_type": "key", "business_area": "defence", "retention": "Y"},
			{"business_area": "textiles", "retention": "D10"}
		],
		"default": "D10"
	}`
	var s retention.Schedule
	if err := json.Unmarshal([]byte(config), &s); err != nil {
		t.Fatal(err)
	}
	want := retention.Schedule{
		Rules: []retention.Rule{
			{CustomerType: "key", Retention: va.RetainD30},
			{CustomerType: "key", BusinessArea: "defence", Retention: va.RetainPermanent},
			{BusinessArea: "textiles", Retention: va.RetainD10},
		},
		Default: va.RetainD10,
	}
	if !slices.Equal(s.Rules, want.Rules) || s.Default != want.Default {
		t.Fatalf("decoded %+v, want %+v", s, want)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	out, err := json.Marshal(retention.DefaultSchedule())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), `{"rules":[{"customer_type":"key","retention":"D30"}],"default":"D10"}`; got != want {
		t.Errorf("DefaultSchedule JSON = %s, want %s", got, want)
	}
}
