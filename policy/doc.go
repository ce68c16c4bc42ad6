// Package policy decides who may do what in visitarchive: it implements
// visitarchive.Authorizer with Casbin, and visitarchive.PasswordHasher
// with argon2id.
//
// # Questions and answers
//
// Every question is "may principal P do action A on resource R?", where R
// is described by visitarchive.Resource: its kind (record, plan, customer,
// user, department, journal, access_log, paper: the paper originals,
// appraisal: appraisal lists, hold: legal holds, scan: the scan inbox),
// its
// department, its owner (who created it), its participants (the visitors), its workflow state (a
// record: draft, submitted, returned, approved, archived; a plan: draft,
// submitted, approved, rejected, cancelled) and, for a plan, whether it is major
// (decided by a manager rather than a supervisor). Allowed answers one
// question. Scope answers it for all resources of a kind at once, as
// filters that a search index applies, so that results are never checked
// hit by hit; the tests check that both always agree.
//
// The actions are read, read_sensitive, create, update, review (approve,
// return or reject), archive, annotate (add a correction to an archived
// record), export, manage, cancel (call off an approved plan) and attach
// (add a file to a record). The answer is no unless a row of the
// permission table says yes.
//
// # The permission table
//
// permissions.csv, embedded in the binary, has one row per permission:
//
//	p, role, kind, action, condition
//
// for example "p, self, record, update, own+draft": an employee may
// update a record they created while it is a draft. Two rows with the
// same role, kind and action are alternatives (own, or participant);
// conditions joined with + must all hold. The conditions are:
//
//	any          always
//	own          the resource's owner is the caller
//	participant  the caller is one of the resource's participants
//	draft        the state is draft
//	returned     the state is returned (sent back for correction)
//	approved     the state is approved
//	archived     the state is archived
//	released     the state is approved, archived or cancelled (a plan
//	             is cancelled only once approved; never submitted or
//	             rejected)
//	major        the plan is major (Resource.Major)
//	ordinary     the plan is not major
//	granted      the caller holds visitarchive.GrantSensitive
//
// major and ordinary apply to plans only; New refuses them in a row for
// any other kind, so that a record scope never filters on them (the index
// does not know the flag).
//
// In brief (the file has every row, the matrix test every answer):
//
//	employee    create records and plans in their department. Customers:
//	            read, read_sensitive, create, update.
//	self        (every employee) records and plans they own or took part
//	            in, in any department: read and read_sensitive. Records:
//	            update and attach files to own ones while draft or
//	            returned; annotate own and taken-part ones once archived. Plans: update own drafts;
//	            change an approved plan, own or taken part in (the domain
//	            asks for a reason and has the change decided); cancel
//	            own plans.
//	supervisor  records and plans of the departments they head: read,
//	            read_sensitive; review records, and ordinary plans only;
//	            cancel plans; annotate archived records. Customers as an
//	            employee.
//	marketing,  released records and plans (approved, archived, or a
//	service     plan cancelled once approved), and customers: read;
//	            read_sensitive only with the grant.
//	archivist   approved and archived records: read; archive approved ones;
//	            read_sensitive, export, annotate and attach files to
//	            archived ones (nobody else attaches to an archived record).
//	            Customers: read. Paper originals: read and update (move,
//	            lend, take back). Scans: read, create (add) and update
//	            (file, discard).
//	auditor     read and read_sensitive everything, export records;
//	            change nothing. Paper originals, scans: read.
//	manager     released records: read, export. Plans: read all; review
//	            major ones, of every department, and only those.
//	            Customers, paper originals: read.
//	            Appraisal lists: read; legal holds: place (create),
//	            release their own role's (cancel); managers also approve,
//	            reject and strike appraisal lists (review; never one they
//	            compiled), and release any hold (manage).
//	witnessing  archivists, auditors and managers may witness (witness) an
//	            approved appraisal list, archivists and managers execute
//	            (execute) it once two witnesses confirmed it; the domain
//	            refuses the approver, the compiler and the deciders as
//	            witnesses. Change the roles in the table's rows.
//	sysadmin    users and departments: read, create, update, manage.
//	            No records, plans, customers, journal, access log, paper
//	            originals or scans.
//
// A submitted or rejected plan is seen only by its author and visitors,
// the supervisors of its department, managers and auditors: released
// does not include those states.
//
// # Departments (domains)
//
// Records and plans belong to a department, and a role counts only in the
// departments where the user holds it:
//
//	employee    their own department (User.Department)
//	self        every department: what an employee wrote or took part in
//	            follows the person (a joint visit with another
//	            department, a move to another department)
//	supervisor  the departments they head (User.Heads); a supervisor who
//	            also files visits holds the employee role as well
//	other roles every department, written "*"
//
// self is not a role a user is given: every enabled employee with a valid
// department holds it.
//
// Customers, users, departments, the journal, the access log, the
// paper originals and the scans belong to no department: there a role counts wherever it is held. A record or plan
// without a department is open only to roles held for every department.
//
// # Where roles come from
//
// Roles, departments and grants are read from the User objects given to
// SetUsers (at start) and PutUser (when a user changes), never from the
// request: a Principal supplies only the caller's name, and its grants,
// which count only if the user still holds them. A disabled or unknown
// user is allowed nothing, and a change takes effect for the next
// decision. Malformed department ids and unknown roles or grants in a User
// give no rights, and a user holding sysadmin together with a role that
// reads content (which User.Validate refuses: separation of duties) holds
// neither, so a bad object can lose rights but never gain them.
//
// Should Casbin ever fail to change the assignments, Err reports it and
// every decision is a denial until a SetUsers succeeds.
//
// # The model
//
// model.conf is a Casbin model: RBAC with domains plus conditions.
//
//	request  r = sub, dom, kind, act, obj
//	policy   p = role, kind, act, cond
//	roles    g = user, role, department-or-*   g2 = user, role-or-grant
//	matcher  kind and act equal, cond(p.cond, r.obj) holds, and the user
//	         holds p.role in r.dom or in "*" (g), or, when r.dom is
//	         empty, anywhere (g2)
//
// sub is "u:" followed by the user name, so that no user name can be
// mistaken for a role in Casbin's role graph. obj carries the resource and
// the caller for cond, a function of this package.
//
// The enforcer is Casbin's SyncedEnforcer: the cached one kept allowing
// revoked users, and the plain one races (see STACK.md).
package policy
