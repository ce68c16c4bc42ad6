package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The page of the four-property audit (四性检测): links to the report,
// which GET /api/v1/audit/report runs and renders (printable HTML, Excel,
// JSON), and the latest result of the scheduled fixity check, which
// GET /api/v1/audit/fixity answers with its history. Auditors only.

// auditReportView is the content of the page.
type auditReportView struct {
	Tabs     []tab
	Fixity   *visitarchive.FixityResult // the latest, or nil before the first run
	Problems []fixityRow                // its first maxProblems
	More     int
}

// fixityRow is one problem of a fixity result, with its kind.
type fixityRow struct {
	Kind string
	visitarchive.FixityProblem
}

func (w *Web) auditReport(c *fiber.Ctx, r *Request) error {
	res, err := w.archive.FixityResults(c.UserContext(), 1)
	if err != nil {
		return err
	}
	v := auditReportView{Tabs: w.tabsOf(c, r, auditTabs)}
	if len(res) > 0 {
		v.Fixity = &res[0]
		rows := fixityRows(v.Fixity)
		v.Problems = rows[:min(len(rows), maxProblems)]
		v.More = len(rows) - len(v.Problems)
	}
	return w.render(c, r, "audit-report", msg("Four-property audit"), v)
}

func fixityRows(res *visitarchive.FixityResult) []fixityRow {
	var out []fixityRow
	for _, k := range []struct {
		kind string
		ps   []visitarchive.FixityProblem
	}{{"altered", res.Altered}, {"missing", res.Missing}, {"untracked", res.Untracked}, {"journal", res.Journal}} {
		for _, p := range k.ps {
			out = append(out, fixityRow{Kind: k.kind, FixityProblem: p})
		}
	}
	return out
}
