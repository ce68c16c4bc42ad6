package visitarchive

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// WorkflowConfig is what a company may set about its visit workflow. The
// zero value takes every default.
type WorkflowConfig struct {
	// FilingPeriod is how long after visit_end a record must be
	// submitted (default 24 h).
	FilingPeriod time.Duration
	// Forms adds required fields by customer type to those every record
	// needs (RequiredFields); "key" customers need onsite_notes and
	// decision_chain unless Forms says otherwise for "key".
	Forms map[string][]string
	// Schedule gives the retention period of each archival class;
	// archiving is refused without one (cmd wires retention's default).
	Schedule Schedule
	// Fonds is the fonds code (全宗号) that starts every reference code
	// (default "F001"); AreaCodes maps business areas to the codes in
	// reference codes (an unmapped area uses its own name, upper-cased,
	// when that is a valid code).
	Fonds     string
	AreaCodes map[string]string
	// PlanLeadTime is how long before its visit starts a plan must be
	// submitted to count as made in advance (提前制定); a later one is
	// marked after_the_fact. Zero, the default: before the visit starts.
	PlanLeadTime time.Duration
	// PlanTolerance is how far a record linked to a plan may begin before
	// the plan's visit starts, or end after it ends (default 2 h).
	PlanTolerance time.Duration
	// ReviewPeriod is how long a submitted record may wait for its review
	// before its reviewers are reminded, and, as long again, before their
	// own supervisor (or the managers) are told (default 2 days).
	ReviewPeriod time.Duration
	// Location is the company's time zone: the day of a date without a
	// time (a from=2026-03-01 filter), the year a visit is archived
	// under and the dates that notifications show are read in it,
	// whatever the zone of the server process (nil: DefaultTimeZone).
	Location *time.Location
	// ArchivingTimeout is how long an archiving may hold its reservation
	// and its reference-code claim: it must reach its journal entry within
	// half of it, and after all of it another archiving takes them over
	// (default 2 min; see archive_refcodes.go).
	ArchivingTimeout time.Duration
}

// Workflow defaults.
const (
	DefaultFilingPeriod  = 24 * time.Hour
	DefaultFonds         = "F001"
	DefaultPlanTolerance = 2 * time.Hour
	DefaultReviewPeriod  = 48 * time.Hour
	DefaultTimeZone      = "Asia/Shanghai"
	// DefaultArchivingTimeout is WorkflowConfig.ArchivingTimeout's default.
	DefaultArchivingTimeout = 2 * time.Minute
)

// RequiredFields are the fields every submitted record needs, whatever
// its customer's type.
var RequiredFields = []string{
	"customer_id", "visit_start", "visit_end", "location", "visitors",
	"department", "contact_name", "topic", "summary", "cooperation_intent", "follow_up",
}

// defaultForms are the extra required fields by customer type.
var defaultForms = map[string][]string{
	"key": {"onsite_notes", "decision_chain"},
}

// codePattern is what a fonds or area code may look like: it becomes part
// of a reference code and of object keys.
var codePattern = regexp.MustCompile(`^[A-Z0-9]{1,12}$`)

// normalize fills in defaults and reports every bad setting.
func (w *WorkflowConfig) normalize() error {
	if w.FilingPeriod == 0 {
		w.FilingPeriod = DefaultFilingPeriod
	}
	if w.PlanTolerance == 0 {
		w.PlanTolerance = DefaultPlanTolerance
	}
	if w.ReviewPeriod == 0 {
		w.ReviewPeriod = DefaultReviewPeriod
	}
	if w.Fonds == "" {
		w.Fonds = DefaultFonds
	}
	if w.ArchivingTimeout == 0 {
		w.ArchivingTimeout = DefaultArchivingTimeout
	}
	forms := maps.Clone(defaultForms)
	maps.Copy(forms, w.Forms)
	w.Forms = forms
	var problems []string
	if w.Location == nil {
		loc, err := time.LoadLocation(DefaultTimeZone)
		if err != nil {
			problems = append(problems, fmt.Sprintf("the default time zone %s is unknown here (%v): set one", DefaultTimeZone, err))
		}
		w.Location = loc
	}
	if w.FilingPeriod < 0 {
		problems = append(problems, "the filing period must be positive")
	}
	if w.PlanLeadTime < 0 {
		problems = append(problems, "the plan lead time must not be negative")
	}
	if w.PlanTolerance < 0 {
		problems = append(problems, "the plan tolerance must be positive")
	}
	if w.ReviewPeriod < 0 {
		problems = append(problems, "the review period must be positive")
	}
	if w.ArchivingTimeout < 0 {
		problems = append(problems, "the archiving timeout must be positive")
	}
	if !codePattern.MatchString(w.Fonds) {
		problems = append(problems, fmt.Sprintf("fonds code %q must be 1 to 12 capital letters or digits", w.Fonds))
	}
	for _, area := range slices.Sorted(maps.Keys(w.AreaCodes)) {
		if !codePattern.MatchString(w.AreaCodes[area]) {
			problems = append(problems, fmt.Sprintf("area code %q of %q must be 1 to 12 capital letters or digits", w.AreaCodes[area], area))
		}
	}
	for _, ct := range slices.Sorted(maps.Keys(w.Forms)) {
		for _, f := range w.Forms[ct] {
			if !slices.Contains(formFields, f) {
				problems = append(problems, fmt.Sprintf("form of customer type %q names %q, which is not a field of the unified form", ct, f))
			}
		}
	}
	if len(problems) > 0 {
		return E("open", Invalid, nil, "workflow configuration: %s", strings.Join(problems, "; "))
	}
	return nil
}

// required returns the fields a record of customerType needs, sorted.
func (w *WorkflowConfig) required(customerType string) []string {
	out := slices.Concat(RequiredFields, w.Forms["*"], w.Forms[customerType])
	sort.Strings(out)
	return slices.Compact(out)
}

// areaCode returns the reference-code form of business area: the
// configured code; else the area upper-cased when that is a valid code;
// else "A" and six hex digits of its SHA-256, stable but meaningless
// (configure area_codes for such areas, such as Chinese names).
func (w *WorkflowConfig) areaCode(area string) string {
	if c, ok := w.AreaCodes[area]; ok {
		return c
	}
	if c := strings.ToUpper(area); codePattern.MatchString(c) {
		return c
	}
	sum := sha256.Sum256([]byte(area))
	return "A" + strings.ToUpper(hex.EncodeToString(sum[:3]))
}

// formFields are the JSON names of the unified form that a form may
// require.
var formFields = []string{
	"customer_id", "customer_name", "plan_id", "visit_start", "visit_end", "location",
	"visitors", "department", "contact_name", "contact_phone", "contact_email", "topic",
	"summary", "customer_situation", "needs", "product_feedback", "customer_feedback",
	"competitor_info", "cooperation_intent", "follow_up", "onsite_notes", "decision_chain",
}
