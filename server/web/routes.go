package web

import "github.com/gofiber/fiber/v2"

// Routes registers every page on r (the server's app, after the API):
// the whole table of the pages. Each page family has a file of its own
// (account.go, search.go, …) and templates under templates/pages/.
//
// Wrappers: public pages are for anyone; account pages for a signed-in
// user, even one who must change their password first; page for a
// signed-in user with a password of their own. Every POST needs the
// session's CSRF token in the form (_csrf), but the sign-in's, which has
// a token of its own.
func (w *Web) Routes(r fiber.Router) {
	r.Get("/static/:name", w.serveStatic)
	r.Get("/lang", w.public(w.switchLang))
	r.Get("/signin", w.public(w.signinForm))
	r.Post("/signin", w.public(w.signin))
	r.Post("/signout", w.account(w.signout))
	r.Get("/password", w.account(w.passwordForm))
	r.Post("/password", w.account(w.changePassword))

	r.Get("/", w.page(w.home))
	r.Get("/tokens", w.page(w.tokens))
	r.Post("/tokens", w.page(w.createToken))
	r.Post("/tokens/:id/revoke", w.page(w.revokeToken))

	// The employee's plans and records, and the supervisor's decisions
	// and reviews (plans.go, recordform.go, review.go). Before
	// /records/:id, which would take /records/new for an id.
	r.Get("/plans", w.page(w.myPlans))
	r.Get("/plans/new", w.page(w.newPlan))
	r.Post("/plans/new", w.page(w.createPlan))
	r.Get("/plans/:id", w.page(w.plan))
	r.Get("/plans/:id/edit", w.page(w.editPlan))
	r.Post("/plans/:id/edit", w.page(w.updatePlan))
	r.Post("/plans/:id/submit", w.page(w.submitPlan))
	r.Post("/plans/:id/cancel", w.page(w.cancelPlan))
	r.Post("/plans/:id/decide", w.page(w.decidePlan))
	r.Get("/records", w.page(w.myRecords))
	r.Get("/records/new", w.page(w.newRecord))
	r.Post("/records/new", w.page(w.createRecord))
	r.Get("/records/:id/edit", w.page(w.editRecord))
	r.Post("/records/:id/edit", w.page(w.updateRecord))
	r.Get("/records/:id/review", w.page(w.reviewRecord))
	r.Post("/records/:id/review", w.page(w.decideRecord))
	r.Get("/review/plans", w.page(w.plansToDecide))
	r.Get("/review/records", w.page(w.recordsToReview))
	r.Get("/review/overdue", w.page(w.overdueRecords))
	r.Get("/review/missing", w.page(w.missingRecords))

	r.Get("/search", w.page(w.search))
	r.Get("/records/:id", w.page(w.record))

	r.Get("/inbox", w.page(w.inbox))
	r.Post("/inbox/read", w.page(w.markAllRead))
	r.Post("/inbox/:id/read", w.page(w.markRead))

	// The pages of marketing and customer service, managers, archivists,
	// auditors and administrators (admin.go).
	r.Get("/approved-plans", w.page(w.approvedPlans))
	r.Get("/major-plans", w.page(w.majorPlans))
	r.Get("/major-plans/:id", w.page(w.majorPlan))
	r.Post("/major-plans/:id", w.page(w.decideMajorPlan))
	r.Get("/archiving", w.page(w.toArchive))
	r.Get("/archiving/:id", w.page(w.archiveForm))
	r.Post("/archiving/:id", w.page(w.archiveRecord))
	r.Get("/customers", w.page(w.customers))
	r.Get("/customers/new", w.page(w.newCustomer))
	r.Post("/customers/new", w.page(w.createCustomer))
	r.Get("/customers/:id", w.page(w.customer))
	r.Post("/customers/:id", w.page(w.updateCustomer))
	r.Get("/audit", w.page(w.audit))
	r.Get("/audit/journal", w.page(w.journal))
	r.Get("/audit/access", w.page(w.accessLog))
	r.Get("/audit/verify", w.page(w.verification))
	r.Post("/audit/verify", w.page(w.startVerification))
	r.Get("/audit/report", w.page(w.auditReport))
	r.Get("/export", w.page(w.export))
	r.Get("/admin/users", w.page(w.users))
	r.Get("/admin/users/new", w.page(w.newUser))
	r.Post("/admin/users/new", w.page(w.createUser))
	r.Get("/admin/users/:name", w.page(w.user))
	r.Post("/admin/users/:name", w.page(w.updateUser))
	r.Post("/admin/users/:name/disabled", w.page(w.setDisabled))
	r.Post("/admin/users/:name/password", w.page(w.resetPassword))
	r.Get("/admin/departments", w.page(w.departments))
	r.Post("/admin/departments", w.page(w.createDepartment))
	r.Get("/admin/departments/:id", w.page(w.department))
	r.Post("/admin/departments/:id", w.page(w.updateDepartment))

	// A record's files, its cover sheet, and the paper originals
	// (files.go, cover.go, paper.go). The upload streams: the server
	// reads its body (isStreamed), w.stream checks its CSRF token there.
	r.Post("/records/:id/attachments", w.stream(w.uploadFiles))
	r.Get("/records/:id/attachments/:aid", w.page(w.download))
	r.Get("/records/:id/attachments/:aid/view", w.page(w.viewFile))
	r.Get("/records/:id/cover", w.page(w.cover))
	r.Get("/records/:id/cover/qr.png", w.page(w.coverQR))
	// The scan inbox (scans.go). Its upload streams as a record's does.
	r.Get("/scans", w.page(w.scans))
	r.Post("/scans", w.stream(w.uploadScans))
	r.Get("/scans/:id", w.page(w.scan))
	r.Get("/scans/:id/content", w.page(w.downloadScan))
	r.Get("/scans/:id/view", w.page(w.viewScan))
	r.Post("/scans/:id/file", w.page(w.fileScan))
	r.Post("/scans/:id/discard", w.page(w.discardScan))
	// Retention and disposition (retention.go).
	r.Get("/retention", w.page(w.appraisals))
	r.Post("/retention", w.page(w.runAppraisal))
	r.Get("/retention/:id", w.page(w.appraisal))
	r.Post("/retention/:id/decide", w.page(w.decideAppraisal))
	r.Post("/retention/:id/submit", w.page(w.submitAppraisal))
	r.Post("/retention/:id/approve", w.page(w.approveAppraisal))
	r.Post("/retention/:id/reject", w.page(w.rejectAppraisal))
	r.Post("/retention/:id/strike", w.page(w.strikeAppraisal))
	r.Post("/retention/:id/witness", w.page(w.witnessAppraisal))
	r.Post("/retention/:id/execute", w.page(w.executeAppraisal))
	r.Get("/destructions", w.page(w.destructions))
	r.Get("/holds", w.page(w.holds))
	r.Post("/holds", w.page(w.placeHold))
	r.Post("/holds/:id/release", w.page(w.releaseHold))
	r.Get("/paper", w.page(w.paperList))
	r.Get("/paper/loans", w.page(w.loans))
	r.Get("/paper/:id", w.page(w.paper))
	r.Post("/paper/:id/move", w.page(w.movePaper))
	r.Post("/paper/:id/lend", w.page(w.lendPaper))
	r.Post("/paper/:id/loans/:loan/return", w.page(w.returnPaper))
}
