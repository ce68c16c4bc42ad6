package visitarchive

import (
	"strconv"
	"time"
)

// Record is a visit record (拜访记录) on the unified form. The JSON names are
// those of the form in DESIGN.md §1.2.
type Record struct {
	ID      RecordID     `json:"id"`
	Version int          `json:"version"`
	Status  RecordStatus `json:"status"`

	CustomerID        CustomerID      `json:"customer_id"`
	CustomerName      string          `json:"customer_name"`
	PlanID            PlanID          `json:"plan_id,omitempty"`
	VisitStart        time.Time       `json:"visit_start,omitzero"`
	VisitEnd          time.Time       `json:"visit_end,omitzero"`
	Location          string          `json:"location"`
	Visitors          []UserName      `json:"visitors"`
	Department        DepartmentID    `json:"department"`
	ContactName       string          `json:"contact_name"`
	ContactPhone      string          `json:"contact_phone,omitempty"` // sensitive
	ContactEmail      string          `json:"contact_email,omitempty"` // sensitive
	Topic             string          `json:"topic"`                   // 拜访主题
	Summary           string          `json:"summary"`                 // 沟通内容摘要
	CustomerSituation string          `json:"customer_situation"`      // 客户基本情况
	Needs             string          `json:"needs"`                   // 需求痛点
	ProductFeedback   string          `json:"product_feedback"`        // 产品或服务反馈
	CustomerFeedback  string          `json:"customer_feedback"`       // 客户意见和建议
	CompetitorInfo    string          `json:"competitor_info"`         // 市场动态、竞争对手信息
	CooperationIntent Intent          `json:"cooperation_intent"`      // 合作意向
	FollowUp          string          `json:"follow_up"`               // 跟进计划
	OnsiteNotes       string          `json:"onsite_notes,omitempty"`
	DecisionChain     []DecisionMaker `json:"decision_chain,omitempty"`

	// Hidden names the sensitive fields withheld from this caller; they
	// are empty in this copy. Never stored.
	Hidden []string `json:"hidden,omitempty"`
	// Annotations are the corrections of an archived record, shown with
	// it; they are objects of their own, never stored in the record.
	Annotations []Annotation `json:"annotations,omitempty"`
	// RetentionInForce and RetainUntil are, for an archived record, its
	// period in force and the day it falls due for appraisal (none for
	// Y); computed when it is read (disposition.go), never stored.
	RetentionInForce Retention  `json:"retention_in_force,omitempty"`
	RetainUntil      *time.Time `json:"retain_until,omitempty"`

	Workflow
	Audit
}

// RecordStatus is where a record stands in its workflow.
type RecordStatus string

// Record statuses. A record is a draft until its author submits it; the
// supervisor approves it or returns it for correction; the archivist
// archives an approved record. Plans share the type: draft, submitted,
// then approved or rejected.
const (
	StatusDraft     RecordStatus = "draft"
	StatusSubmitted RecordStatus = "submitted"
	StatusReturned  RecordStatus = "returned"
	StatusApproved  RecordStatus = "approved"
	StatusArchived  RecordStatus = "archived"
	StatusRejected  RecordStatus = "rejected"  // plans only
	StatusCancelled RecordStatus = "cancelled" // plans only
)

// RecordStatuses lists the states of a record in workflow order.
var RecordStatuses = []string{"draft", "submitted", "returned", "approved", "archived"}

// Intent is the customer's cooperation intent (合作意向).
type Intent string

// Cooperation intents, from none to a signed contract.
const (
	IntentNone   Intent = "none"
	IntentLow    Intent = "low"
	IntentMedium Intent = "medium"
	IntentHigh   Intent = "high"
	IntentSigned Intent = "signed"
)

// Intents lists the valid cooperation intents in order.
var Intents = []string{"none", "low", "medium", "high", "signed"}

// DecisionMaker is one person in a key customer's decision chain (决策链).
// Name and Notes are sensitive.
type DecisionMaker struct {
	Name     string   `json:"name"`
	Role     string   `json:"role"`
	Attitude Attitude `json:"attitude"`
	Notes    string   `json:"notes,omitempty"`
}

// Attitude is a decision maker's stance towards the deal.
type Attitude string

// Attitudes lists the valid attitudes.
var Attitudes = []string{"support", "neutral", "oppose", "unknown"}

// Validate reports every field of r that breaks a rule for a draft. The
// completeness rules of submission come with the review workflow.
func (r *Record) Validate() error {
	var c checker
	if r.ID != "" && !ValidID(string(r.ID)) {
		c.add("id", "may hold only letters, digits, '-' and '_' (at most 64, starting with a letter or digit)")
	}
	c.required("customer_id", string(r.CustomerID))
	if r.CustomerID != "" && !ValidID(string(r.CustomerID)) {
		c.add("customer_id", "is not a valid customer id")
	}
	if r.PlanID != "" && !ValidID(string(r.PlanID)) {
		c.add("plan_id", "is not a valid plan id")
	}
	r.validateTimes(&c)
	r.validateText(&c)
	c.oneOf("cooperation_intent", string(r.CooperationIntent), Intents)
	c.phone("contact_phone", r.ContactPhone)
	c.email("contact_email", r.ContactEmail)
	if len(r.Visitors) > 50 {
		c.add("visitors", "has %d entries; at most 50 are allowed", len(r.Visitors))
	}
	for i, v := range r.Visitors {
		if !ValidUserName(string(v)) {
			c.add("visitors["+itoa(i)+"]", "is not a valid user name")
		}
	}
	r.validateDecisionChain(&c)
	return c.result("record.validate", "record")
}

func (r *Record) validateTimes(c *checker) {
	if r.VisitStart.IsZero() {
		c.add("visit_start", "is required (RFC 3339, such as 2026-03-01T09:30:00+08:00)")
	}
	if r.VisitEnd.IsZero() {
		c.add("visit_end", "is required (RFC 3339, such as 2026-03-01T11:00:00+08:00)")
	}
	if !r.VisitStart.IsZero() && !r.VisitEnd.IsZero() && !r.VisitEnd.After(r.VisitStart) {
		c.add("visit_end", "must be after visit_start")
	}
	c.date("visit_start", r.VisitStart)
	c.date("visit_end", r.VisitEnd)
}

func (r *Record) validateText(c *checker) {
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"customer_name", r.CustomerName, shortText},
		{"location", r.Location, shortText},
		{"department", string(r.Department), shortText},
		{"contact_name", r.ContactName, shortText},
		{"topic", r.Topic, shortText},
		{"summary", r.Summary, longText},
		{"customer_situation", r.CustomerSituation, longText},
		{"needs", r.Needs, longText},
		{"product_feedback", r.ProductFeedback, longText},
		{"customer_feedback", r.CustomerFeedback, longText},
		{"competitor_info", r.CompetitorInfo, longText},
		{"follow_up", r.FollowUp, longText},
		{"onsite_notes", r.OnsiteNotes, longText},
	} {
		c.text(f.name, f.v, f.max)
	}
}

func (r *Record) validateDecisionChain(c *checker) {
	if len(r.DecisionChain) > 100 {
		c.add("decision_chain", "has %d entries; at most 100 are allowed", len(r.DecisionChain))
	}
	for i, d := range r.DecisionChain {
		f := "decision_chain[" + itoa(i) + "]."
		c.required(f+"name", d.Name)
		c.text(f+"name", d.Name, shortText)
		c.text(f+"role", d.Role, shortText)
		c.text(f+"notes", d.Notes, longText)
		c.oneOf(f+"attitude", string(d.Attitude), Attitudes)
	}
}

// Text returns the searchable free text of the record, one field a line.
// Contact details and the decision chain are sensitive and are
// left out so that they never reach the index.
func (r *Record) Text() []string {
	return []string{
		r.CustomerName, r.Location, r.Topic, r.Summary,
		r.CustomerSituation, r.Needs, r.ProductFeedback, r.CustomerFeedback,
		r.CompetitorInfo, r.FollowUp, r.OnsiteNotes,
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
