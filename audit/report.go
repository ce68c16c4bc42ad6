package audit

import (
	"context"
	"fmt"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// Results of a check and of the report.
const (
	Pass = "pass"
	Warn = "warn"
	Fail = "fail"
)

// The four properties of DA/T 70-2018.
const (
	Authenticity = "authenticity" // 真实性
	Completeness = "completeness" // 完整性
	Usability    = "usability"    // 可用性
	Security     = "security"     // 安全性
)

// PropertyNames are the Chinese names of the properties.
var PropertyNames = map[string]string{
	Authenticity: "真实性", Completeness: "完整性", Usability: "可用性", Security: "安全性",
}

// Report is the outcome of Run: every check, in a fixed order.
type Report struct {
	Generated time.Time `json:"generated"`
	// From and To bound the period of the access-log check ([From, To);
	// a zero From: since the archive began).
	From    time.Time `json:"from,omitzero"`
	To      time.Time `json:"to,omitzero"` // zero: up to the end of the journal
	Result  string    `json:"result"`      // fail if any check failed, else warn if any warned, else pass
	Entries uint64    `json:"journal_entries"`
	Objects uint64    `json:"objects_hashed"`
	Records int       `json:"records"`
	Checks  []Check   `json:"checks"`
}

// Check is one check of the report.
type Check struct {
	ID        string    `json:"id"`        // such as "authenticity.chain"
	Property  string    `json:"property"`  // Authenticity, …
	Reference string    `json:"reference"` // the clause of DA/T 70-2018 it answers
	Title     string    `json:"title"`     // what it checks, in Chinese and English
	Result    string    `json:"result"`    // Pass, Warn or Fail
	Checked   int       `json:"checked"`   // things it looked at
	Findings  []Finding `json:"findings"`  // what is at fault; empty on Pass
}

// Finding is one thing at fault: an object or a record, and why.
type Finding struct {
	Object string `json:"object,omitempty"` // an object key
	Record string `json:"record,omitempty"` // a record id
	Detail string `json:"detail"`
}

// Sources are what the audit reads. Archive answers for the domain (and
// checks that the caller in ctx may read the journal: auditors, or a
// trusted actor); Store is read raw; Index is the search index (nil:
// its checks fail, saying so); IndexDir and KeyFile are searched and
// checked on disk ("" when there is none, such as a server's index the
// command cannot open).
type Sources struct {
	Archive  *va.Archive
	Store    va.Store
	Index    va.Index
	IndexDir string
	KeyFile  string
	// From and To bound the access-log check ([From, To); zero: open).
	From, To time.Time
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Progress, if set, is told of each stage and how far it is.
	Progress func(stage string, done, total int)
}

// run is one run of the checks: the sources and what the stages share.
type run struct {
	Sources
	now     time.Time
	chain   *va.ChainReport
	records []va.AuditRecord
	secrets *secrets  // the sensitive values of the records
	scan    storeScan // what a read of every object found
}

// Run runs every check and returns the report. An error means a check
// could not be run (a store that fails, a ctx that ends, a caller who may
// not read the journal); what the checks found is in the report.
func Run(ctx context.Context, src Sources) (*Report, error) {
	if src.Now == nil {
		src.Now = time.Now
	}
	r := &run{Sources: src, now: src.Now()}
	if err := r.load(ctx); err != nil {
		return nil, err
	}
	rep := &Report{Generated: r.now.UTC(), From: r.From, To: r.To, Entries: r.chain.Entries, Objects: r.chain.Objects,
		Records: len(r.records)}
	for _, c := range checks {
		r.progress(c.id, 0, 0)
		ch, err := r.check(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("audit: %s: %w", c.id, err)
		}
		rep.Checks = append(rep.Checks, ch)
	}
	rep.Result = overall(rep.Checks)
	return rep, nil
}

// load verifies the journal, reads the records and then every object of
// the store, which several checks share.
func (r *run) load(ctx context.Context) error {
	var err error
	r.chain, err = r.Archive.VerifyChain(ctx, func(n uint64) { r.progress("verifying journal entries", int(n), 0) })
	if err != nil {
		return err
	}
	if r.records, err = r.Archive.AuditRecords(ctx); err != nil {
		return err
	}
	r.secrets = r.collectSecrets()
	return r.scanStore(ctx)
}

func (r *run) progress(stage string, done, total int) {
	if r.Progress != nil {
		r.Progress(stage, done, total)
	}
}

// spec is one check: its identity and the function that runs it.
type spec struct {
	id, property, reference, title string
	run                            func(r *run, ctx context.Context) (checked int, findings []Finding, err error)
	// warnOnly makes findings a warning rather than a failure.
	warnOnly bool
}

func (r *run) check(ctx context.Context, s spec) (Check, error) {
	n, fs, err := s.run(r, ctx)
	if err != nil {
		return Check{}, err
	}
	c := Check{ID: s.id, Property: s.property, Reference: s.reference, Title: s.title, Result: Pass,
		Checked: n, Findings: fs}
	if c.Findings == nil {
		c.Findings = []Finding{}
	}
	switch {
	case len(fs) > 0 && s.warnOnly:
		c.Result = Warn
	case len(fs) > 0:
		c.Result = Fail
	}
	return c, nil
}

func overall(cs []Check) string {
	res := Pass
	for _, c := range cs {
		switch c.Result {
		case Fail:
			return Fail
		case Warn:
			res = Warn
		}
	}
	return res
}

// Failed returns the checks that did not pass.
func (rep *Report) Failed() []Check {
	var out []Check
	for _, c := range rep.Checks {
		if c.Result != Pass {
			out = append(out, c)
		}
	}
	return out
}

// chainFindings are the problems of the verification of kind.
func (r *run) chainFindings(kind string) []Finding {
	var out []Finding
	for _, p := range r.chain.Problems {
		if p.Kind == kind {
			out = append(out, Finding{Object: p.Key, Record: recordOf(p.Key), Detail: p.Detail})
		}
	}
	return out
}
