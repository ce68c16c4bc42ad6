package server

// apiPrefix is where the versioned REST API lives.
const (
	apiPrefix   = "/api/v1"
	openAPIPath = apiPrefix + "/openapi.json"
)

// routes is the whole route table. Middleware comes first: Fiber runs only
// the middleware registered before a route. openapi.json documents every
// route under apiPrefix, and a test keeps the two in step.
func (s *Server) routes() {
	app := s.app
	app.Use(s.observe, recoverPanics, s.withDeadline, s.readBody)

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsHandler())

	api := app.Group(apiPrefix, s.authenticate)
	api.Get("/openapi.json", s.openAPI)

	api.Post("/auth/login", s.login)
	api.Post("/auth/logout", s.logout)
	api.Get("/auth/me", s.me)
	api.Put("/auth/password", s.changePassword)
	api.Get("/auth/tokens", s.listTokens)
	api.Post("/auth/tokens", s.createToken)
	api.Delete("/auth/tokens/:id", s.revokeToken)

	api.Get("/users", s.listUsers)
	api.Post("/users", s.createUser)
	api.Get("/users/:id", s.users.handleGet)
	api.Put("/users/:id", s.users.handlePut)
	api.Patch("/users/:id", s.users.handlePatch)
	api.Put("/users/:id/password", s.setPassword)

	api.Get("/departments", s.listDepartments)
	api.Post("/departments", s.departments.handleCreate)
	api.Get("/departments/:id", s.departments.handleGet)
	api.Put("/departments/:id", s.departments.handlePut)
	api.Patch("/departments/:id", s.departments.handlePatch)

	api.Post("/customers", s.customers.handleCreate)
	api.Get("/customers", s.listCustomers)
	api.Get("/customers/:id", s.customers.handleGet)
	api.Put("/customers/:id", s.customers.handlePut)
	api.Patch("/customers/:id", s.customers.handlePatch)

	api.Post("/records", s.records.handleCreate)
	api.Get("/records", s.listRecords)
	api.Get("/records/:id", s.records.handleGet)
	api.Put("/records/:id", s.records.handlePut)
	api.Patch("/records/:id", s.records.handlePatch)
	api.Get("/records/:id/history", s.recordHistory)
	api.Post("/records/:id/submit", s.submitRecord)
	api.Post("/records/:id/return", s.returnRecord)
	api.Post("/records/:id/approve", s.approveRecord)
	api.Post("/records/:id/archive", s.archiveRecord)
	api.Get("/records/:id/annotations", s.listAnnotations)
	api.Post("/records/:id/annotations", s.annotateRecord)
	api.Get("/records/:id/attachments", s.listAttachments)
	api.Post("/records/:id/attachments", s.uploadAttachments) // streamed: isStreamed
	api.Get("/records/:id/attachments/:aid", s.getAttachment)

	api.Post("/plans", s.plans.handleCreate)
	api.Get("/plans", s.listPlans)
	api.Get("/plans/:id", s.plans.handleGet)
	api.Put("/plans/:id", s.plans.handlePut)
	api.Patch("/plans/:id", s.plans.handlePatch)
	api.Get("/plans/:id/history", s.planHistory)
	api.Post("/plans/:id/submit", s.submitPlan)
	api.Post("/plans/:id/approve", s.approvePlan)
	api.Post("/plans/:id/reject", s.rejectPlan)
	api.Post("/plans/:id/cancel", s.cancelPlan)

	api.Get("/inbox", s.inbox)
	api.Post("/inbox/read", s.markRead)
	api.Post("/inbox/:id/read", s.markOneRead)

	// The paper originals: where each is kept, its moves and its loans.
	api.Get("/paper", s.listPaper)
	api.Get("/paper/loans", s.listLoans)
	api.Get("/records/:id/paper", s.getPaper)
	api.Put("/records/:id/paper", s.movePaper)
	api.Post("/records/:id/paper/loans", s.lendPaper)
	api.Post("/records/:id/paper/loans/:loan/return", s.returnPaper)

	// Retention and disposition: records due, appraisal lists, legal
	// holds (retention.go).
	api.Get("/retention/due", s.retentionDue)
	api.Post("/appraisals", s.runAppraisal)
	api.Get("/appraisals", s.listAppraisals)
	api.Get("/appraisals/:id", s.getAppraisal)
	api.Post("/appraisals/:id/decide", s.decideAppraisal)
	api.Post("/appraisals/:id/submit", s.submitAppraisal)
	api.Post("/appraisals/:id/approve", s.approveAppraisal)
	api.Post("/appraisals/:id/reject", s.rejectAppraisal)
	api.Post("/appraisals/:id/strike", s.strikeAppraisal)
	api.Post("/appraisals/:id/witness", s.witnessAppraisal)
	api.Post("/appraisals/:id/execute", s.executeAppraisal)
	api.Get("/holds", s.listHolds)
	api.Post("/holds", s.placeHold)
	api.Get("/holds/:id", s.getHold)
	api.Post("/holds/:id/release", s.releaseHold)

	// The background jobs: the extraction of attachments' text.
	api.Get("/jobs/:id", s.getJob)

	// The scan inbox: scans that belong to no record yet.
	api.Post("/scans", s.uploadScans) // streamed: isStreamed
	api.Get("/scans", s.listScans)
	api.Get("/scans/:id", s.getScan)
	api.Get("/scans/:id/content", s.getScanContent)
	api.Post("/scans/:id/file", s.fileScan)
	api.Post("/scans/:id/discard", s.discardScan)

	api.Get("/search", s.search)
	api.Get("/export/records", s.exportRecords)
	api.Get("/audit/access", s.auditAccess)
	api.Get("/audit/journal", s.auditJournal)
	api.Get("/audit/backups", s.auditBackups) // backups.go
	api.Get("/audit/report", s.auditReport)
	api.Get("/audit/fixity", s.auditFixity)

	// Destructions and their registers (销毁清册), issue 19.
	api.Get("/destructions", s.listDestructions)
	api.Get("/destructions/:id/register", s.getRegister)

	// The pages, whose table is web/routes.go: the same sign-in, the
	// same Archive calls.
	s.web.Routes(app)
}
