package visitarchive

// The kinds of versioned object (see versioned.go), each with its key
// layout, its name in messages, and how to tell an object's id and
// version.
var (
	recordKind = kind[RecordID, storedRecord]{RecordsPrefix, KindRecord,
		func(r *storedRecord) (RecordID, int) { return r.ID, r.Version }, ValidID}
	customerKind = kind[CustomerID, storedCustomer]{CustomersPrefix, KindCustomer,
		func(c *storedCustomer) (CustomerID, int) { return c.ID, c.Version }, ValidID}
	planKind = kind[PlanID, Plan]{PlansPrefix, KindPlan,
		func(p *Plan) (PlanID, int) { return p.ID, p.Version }, ValidID}
	userKind = kind[UserName, storedUser]{UsersPrefix, KindUser,
		func(u *storedUser) (UserName, int) { return u.Name, u.Version }, ValidUserName}
	departmentKind = kind[DepartmentID, Department]{DepartmentsPrefix, KindDepartment,
		func(d *Department) (DepartmentID, int) { return d.ID, d.Version }, ValidID}
	paperKind = kind[RecordID, Paper]{PaperPrefix, KindPaper,
		func(p *Paper) (RecordID, int) { return p.Record, p.Version }, ValidID}
	// Jobs belong to no policy resource: a job is read by whoever may read
	// its record, and written only by the Archive.
	jobKind = kind[string, storedJob]{JobsPrefix, "job",
		func(j *storedJob) (string, int) { return j.ID, j.Version }, ValidID}
	scanKind = kind[ScanID, storedScan]{ScansPrefix, KindScan,
		func(s *storedScan) (ScanID, int) { return s.ID, s.Version }, ValidID}
)
