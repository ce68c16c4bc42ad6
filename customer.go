package visitarchive

import (
	"regexp"
	"time"
)

// Customer is a company the sales staff visit.
type Customer struct {
	ID           CustomerID   `json:"id"`
	Version      int          `json:"version"`
	Name         string       `json:"name"`
	Type         CustomerType `json:"customer_type"`
	BusinessArea string       `json:"business_area"`
	Country      string       `json:"country"`
	Contacts     []Contact    `json:"contacts,omitempty"`

	// Hidden names the sensitive fields withheld from this caller. Never
	// stored.
	Hidden []string `json:"hidden,omitempty"`
	Audit
}

// CustomerType classifies customers (客户类型). The well-known types are
// below; a company may use its own, written as a short lower-case word.
type CustomerType string

// Well-known customer types.
const (
	CustomerTypeKey      CustomerType = "key"
	CustomerTypeRegular  CustomerType = "regular"
	CustomerTypeProspect CustomerType = "prospect"
)

var typePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Contact is a person at a customer. Phone and e-mail are sensitive.
type Contact struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Audit is who created and last changed an object, and when. The Archive
// sets it; clients cannot.
type Audit struct {
	CreatedAt time.Time `json:"created_at,omitzero"`
	CreatedBy UserName  `json:"created_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy UserName  `json:"updated_by,omitempty"`
}

// Validate reports every field of c that breaks a rule.
func (c *Customer) Validate() error {
	var ch checker
	if c.ID != "" && !ValidID(string(c.ID)) {
		ch.add("id", "may hold only letters, digits, '-' and '_' (at most 64, starting with a letter or digit)")
	}
	ch.required("name", c.Name)
	ch.text("name", c.Name, shortText)
	ch.required("customer_type", string(c.Type))
	if c.Type != "" && !typePattern.MatchString(string(c.Type)) {
		ch.add("customer_type", "must be a short lower-case word such as key, regular or prospect")
	}
	ch.text("business_area", c.BusinessArea, shortText)
	ch.text("country", c.Country, 64)
	if len(c.Contacts) > 100 {
		ch.add("contacts", "has %d entries; at most 100 are allowed", len(c.Contacts))
	}
	for i, p := range c.Contacts {
		f := "contacts[" + itoa(i) + "]."
		ch.required(f+"name", p.Name)
		ch.text(f+"name", p.Name, shortText)
		ch.text(f+"title", p.Title, shortText)
		ch.phone(f+"phone", p.Phone)
		ch.email(f+"email", p.Email)
	}
	return ch.result("customer.validate", "customer")
}
