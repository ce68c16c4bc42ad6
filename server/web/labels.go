package web

import (
	"context"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// The labels of the unified form's fields are the policy's own terms
// (外贸企业客户拜访记录归档管理制度): 拜访时间, 拜访对象, 拜访人员, 拜访主题 and
// the rest, by the JSON name of the field. Every page that shows or edits
// a field takes its label from here, so that a field is called one thing
// everywhere.
var fieldLabels = map[string]string{
	"visit_time":         msg("Visit time"),
	"visit_start":        msg("Visit start"),
	"visit_end":          msg("Visit end"),
	"customer_id":        msg("Customer"),
	"customer_name":      msg("Customer visited"),
	"customer_type":      msg("Customer type"),
	"business_area":      msg("Business area"),
	"country":            msg("Country"),
	"plan_id":            msg("Visit plan"),
	"location":           msg("Place of visit"),
	"visitors":           msg("Visitors"),
	"department":         msg("Department"),
	"contact_name":       msg("Contact person"),
	"contact_phone":      msg("Contact phone"),
	"contact_email":      msg("Contact e-mail"),
	"topic":              msg("Topic of the visit"),
	"summary":            msg("Summary of the discussion"),
	"customer_situation": msg("Customer's situation"),
	"needs":              msg("Needs and pain points"),
	"product_feedback":   msg("Feedback on products or services"),
	"customer_feedback":  msg("Customer's comments and suggestions"),
	"competitor_info":    msg("Market trends and competitors"),
	"cooperation_intent": msg("Cooperation intent"),
	"follow_up":          msg("Follow-up plan"),
	"onsite_notes":       msg("On-site situation"),
	"decision_chain":     msg("Decision chain"),
	"status":             msg("Status"),
	"reviewer":           msg("Reviewer"),
	"reference_code":     msg("Reference code"),
	"retention":          msg("Retention period"),
	"late":               msg("Filed late"),
	"overdue":            msg("Overdue"),
	"due_at":             msg("Due by"),
	"submitted_at":       msg("Submitted at"),
	"q":                  msg("Words"),
	"from":               msg("From"),
	"to":                 msg("To"),
	"sort":               msg("Sort by"),
	"name":               msg("Name"),
	"role":               msg("Role"),
	"attitude":           msg("Attitude"),
	"notes":              msg("Notes"),

	// Plans, and the decisions on plans and records.
	"purpose":        msg("Purpose of the visit"),
	"topics":         msg("Main topics"),
	"major":          msg("Major plan"),
	"after_the_fact": msg("Filed after the fact"),
	"change_reason":  msg("Reason for the change"),
	"comment":        msg("Comment"),
	"reason":         msg("Reason"),
	"rounds":         msg("Rounds"),
}

// valueLabels are the labels of the values of fields with fixed values,
// by field and value.
var valueLabels = map[string]map[string]string{
	"status": {
		"draft": msg("Draft"), "submitted": msg("Submitted"), "returned": msg("Returned"),
		"approved": msg("Approved"), "archived": msg("Archived"), "rejected": msg("Rejected"),
		"cancelled": msg("Cancelled"),
	},
	"cooperation_intent": {
		"none": msg("None"), "low": msg("Low"), "medium": msg("Medium"), "high": msg("High"),
		"signed": msg("Signed"),
	},
	"attitude": {
		"support": msg("Supports"), "neutral": msg("Neutral"), "oppose": msg("Opposes"), "unknown": msg("Unknown"),
	},
	"customer_type": {
		"key": msg("Key customer"), "regular": msg("Regular customer"), "prospect": msg("Prospect"),
	},
	"retention": {
		"D10": msg("10 years"), "D30": msg("30 years"), "Y": msg("Permanent"),
	},
	"late":    {"true": msg("Late"), "false": msg("On time")},
	"overdue": {"true": msg("Overdue")},
	"role": {
		"employee": msg("Employee"), "supervisor": msg("Supervisor"), "marketing": msg("Marketing"),
		"service": msg("Customer service"), "archivist": msg("Archivist"), "auditor": msg("Auditor"),
		"manager": msg("Manager"), "sysadmin": msg("System administrator"),
	},
	"event": {
		"plan.submitted": msg("Plan to decide"), "plan.decided": msg("Plan decided"),
		"plan.escalated": msg("Plan escalated to management"), "plan.approved": msg("Plan approved"),
		"plan.changed": msg("Approved plan changed"), "plan.cancelled": msg("Plan cancelled"),
		"record.submitted": msg("Record to review"), "record.returned": msg("Record returned"),
		"record.approved": msg("Record approved"), "record.overdue": msg("Record overdue"),
		"plan.record_due": msg("Record due for a plan"), "plan.record_missing": msg("Record missing for a plan"),
		"record.review_due": msg("Review due"), "record.review_overdue": msg("Review overdue"),
		"user.password":      msg("Password set by an administrator"),
		"paper.loan_overdue": msg("Paper original overdue"),
	},

	// The decisions on plans and records.
	"decision": {
		"approved": msg("Approved"), "rejected": msg("Rejected"), "returned": msg("Returned"),
		"escalated": msg("Escalated to management"), "cancelled": msg("Cancelled"),
	},
}

// Label returns the label of a field in l; a field without one is
// called by its name.
func Label(l i18n.Lang, field string) string {
	if k, ok := fieldLabels[field]; ok {
		return i18n.Text(l, k)
	}
	return field
}

// Value returns the label in l of value v of field; a value without one
// is shown as it is (an id, a name).
func Value(l i18n.Lang, field, v string) string {
	if k, ok := valueLabels[field][v]; ok {
		return i18n.Text(l, k)
	}
	return v
}

// departmentNames are the names of the departments by id, which everyone
// may read, for pages that show a department by its name; a department
// the Archive does not answer for keeps its id.
func (w *Web) departmentNames(ctx context.Context) map[string]string {
	names := map[string]string{}
	depts, err := w.archive.Accounts().ListDepartments(ctx)
	if err != nil {
		return names
	}
	for _, d := range depts {
		names[string(d.ID)] = d.Name
	}
	return names
}

// departmentName is the name of department id, or id.
func departmentName(names map[string]string, id visitarchive.DepartmentID) string {
	if n := names[string(id)]; n != "" {
		return n
	}
	return string(id)
}
