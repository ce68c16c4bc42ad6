package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// The budgets of issue 2, at 100,000 records on the 2-core machine.
const (
	budgetRecords     = 100000
	budgetImportShare = 0.70 // of the Bleve-alone indexing rate
	budgetP95ms       = 30
	budgetP99ms       = 100
	budgetReindex     = 2.0 // times the Bleve-alone indexing time
	budgetRSS         = 800 << 20
)

// report is everything results.json holds.
type report struct {
	Time        time.Time               `json:"time"`
	Environment environment             `json:"environment"`
	Corpus      corpusMeta              `json:"corpus"`
	Rounds      int                     `json:"rounds"`
	Phases      map[string]*phaseResult `json:"phases"`
	Budgets     []budget                `json:"budgets"`
	// WriteBudgets are those of issue 15, checked on the write step.
	WriteBudgets []budget `json:"write_budgets,omitempty"`
	// Mismatches lists queries whose hit totals differ between phases:
	// our layers must find exactly what Bleve alone finds.
	Mismatches []string `json:"mismatches"`
}

type environment struct {
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	CPU        string `json:"cpu"`
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	MemTotal   int64  `json:"mem_total_bytes"`
	Commit     string `json:"commit"` // of the code measured; "+dirty" when it had changes
}

// budget is one budget checked on one backend.
type budget struct {
	Name    string  `json:"name"`
	Target  string  `json:"target"`
	Phase   string  `json:"phase"`
	Value   float64 `json:"value"`
	Limit   float64 `json:"limit"`
	Shown   string  `json:"shown"`
	Pass    bool    `json:"pass"`
	Checked bool    `json:"checked"` // false when Bleve alone did not run
}

func newReport(o *options, e environment, meta corpusMeta, phases map[string]*phaseResult) *report {
	r := &report{Time: time.Now().UTC().Truncate(time.Second), Environment: e, Corpus: meta, Rounds: o.rounds, Phases: phases}
	base := phases["bleve"]
	for _, ph := range []string{"disk", "minio"} {
		if res := phases[ph]; res != nil {
			r.Budgets = append(r.Budgets, budgets(ph, res, base)...)
			if res.Writes != nil {
				r.WriteBudgets = append(r.WriteBudgets, writeBudgets(res)...)
			}
		}
	}
	r.Mismatches = mismatches(phases)
	return r
}

func budgets(ph string, res, base *phaseResult) []budget {
	var bs []budget
	imp := budget{Name: "import rate", Target: fmt.Sprintf("≥ %.0f%% of Bleve alone", budgetImportShare*100), Phase: ph, Value: res.IndexRate}
	imp.Shown = fmt.Sprintf("%.0f records/s", res.IndexRate)
	if base != nil {
		imp.Limit, imp.Checked = budgetImportShare*base.IndexRate, true
		imp.Pass = res.IndexRate >= imp.Limit
		imp.Shown += fmt.Sprintf(" = %.0f%% (limit %.0f/s)", 100*res.IndexRate/base.IndexRate, imp.Limit)
	}
	bs = append(bs, imp)
	bs = append(bs,
		budget{Name: "search p95", Target: fmt.Sprintf("≤ %d ms", budgetP95ms), Phase: ph, Value: res.Search.P95, Limit: budgetP95ms,
			Shown: fmt.Sprintf("%.1f ms", res.Search.P95), Pass: res.Search.P95 <= budgetP95ms, Checked: true},
		budget{Name: "search p99", Target: fmt.Sprintf("≤ %d ms", budgetP99ms), Phase: ph, Value: res.Search.P99, Limit: budgetP99ms,
			Shown: fmt.Sprintf("%.1f ms", res.Search.P99), Pass: res.Search.P99 <= budgetP99ms, Checked: true})
	re := budget{Name: "reindex time", Target: fmt.Sprintf("≤ %.0f× Bleve-alone indexing", budgetReindex), Phase: ph, Value: res.ReindexSeconds}
	re.Shown = fmt.Sprintf("%.1f s", res.ReindexSeconds)
	if base != nil {
		re.Limit, re.Checked = budgetReindex*base.IndexSeconds, true
		re.Pass = res.ReindexSeconds <= re.Limit
		re.Shown += fmt.Sprintf(" = %.2f× (limit %.1f s)", res.ReindexSeconds/base.IndexSeconds, re.Limit)
	}
	bs = append(bs, re,
		budget{Name: "peak RSS", Target: "≤ 800 MB", Phase: ph, Value: float64(res.PeakRSS), Limit: budgetRSS,
			Shown: mb(res.PeakRSS), Pass: res.PeakRSS <= budgetRSS, Checked: true})
	return bs
}

func mismatches(phases map[string]*phaseResult) []string {
	var out []string
	var ref *phaseResult
	for _, ph := range searchPhases {
		res := phases[ph]
		if res == nil {
			continue
		}
		if ref == nil {
			ref = res
			continue
		}
		for i := range min(len(ref.Totals), len(res.Totals)) {
			if ref.Totals[i] != res.Totals[i] {
				out = append(out, fmt.Sprintf("query %d: %s finds %d, %s finds %d", i, ref.Phase, ref.Totals[i], ph, res.Totals[i]))
			}
		}
	}
	return out
}

func env() environment {
	e := environment{GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	e.MemTotal = procStatusKB("/proc/meminfo", "MemTotal:") * 1024
	e.Commit = commit()
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				e.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	return e
}

// commit names the commit of the working tree, if git can say.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += "+dirty"
	}
	return c
}

// write puts report.md and results.json into dir.
func (r *report) write(dir string) error {
	if err := writeJSON(filepath.Join(dir, "results.json"), r); err != nil {
		return err
	}
	var b bytes.Buffer
	r.markdown(&b)
	return os.WriteFile(filepath.Join(dir, "report.md"), b.Bytes(), 0o644)
}

func (r *report) markdown(w io.Writer) {
	e := r.Environment
	fmt.Fprintf(w, "# visitarchive benchmark: %d records\n\n", r.Corpus.Records)
	fmt.Fprintf(w, "Run %s at commit %s on %s, %d CPUs (GOMAXPROCS %d), %s memory, %s %s.\n",
		r.Time.Format(time.RFC3339), e.Commit, orUnknown(e.CPU), e.NumCPU, e.GOMAXPROCS, mb(e.MemTotal), e.GoVersion, e.OS)
	fmt.Fprintf(w, "Corpus: seed %d, %d records and %d customers, %s of import JSON lines. "+
		"Queries: %d (page size %d), %d timed rounds after one warm-up round, one query at a time.\n\n",
		r.Corpus.Seed, r.Corpus.Records, r.Corpus.Customers, mb(r.Corpus.Bytes), r.Corpus.Queries, pageSize, r.Rounds)
	if r.Corpus.Records != budgetRecords {
		fmt.Fprintf(w, "**The budgets are set at %d records; this run has %d, so PASS and FAIL here are indicative only.**\n\n", budgetRecords, r.Corpus.Records)
	}
	r.printTables(w)
	r.floorTable(w)
	r.kindTable(w)
	r.ablationTable(w)
	r.layerTable(w)
	fmt.Fprintf(w, "\n## Consistency\n\n")
	if len(r.Mismatches) == 0 {
		fmt.Fprintf(w, "Every query found the same number of records in every phase.\n")
	} else {
		fmt.Fprintf(w, "**%d queries found different numbers of records:**\n\n", len(r.Mismatches))
		for _, m := range r.Mismatches {
			fmt.Fprintf(w, "- %s\n", m)
		}
	}
	fmt.Fprint(w, notes)
}

const notes = `
## How it was measured

- **Bleve alone** (the floor): a Bleve index with index.NewMapping(), fed
  index.Document of every record and its customer in batches of 250
  (index.MaxBatch, as index.Apply hands them to Bleve); JSON decoding is
  timed apart and not counted. Queries are index.Query in
  the one plain Bleve request that answers as index.Search does (page,
  sort, stored fields, facets, highlighting: index.Request; the harness
  checks that the two requests are identical). index.Search itself runs
  the same query in two passes of its own (index/doc.go, Searching).
- **Ours**: Archive.Import of the same JSON lines (decode, validate, create-
  only put of every object, one journal entry per 1000 lines, index) on an
  empty store and index; Archive.Search over the query set; then
  Archive.Reindex from the store into a fresh, empty index. Our processes
  keep the soft memory limit that the visitarchive command sets
  (memlimit.Set); Bleve alone runs with Go's defaults.
- **The MinIO floor**: the import without our layers, on a MinIO of its
  own started fresh (see its table). Bleve alone indexes the corpus as
  above while the S3 backend alone writes the objects our import writes,
  in the same batches; decoding is counted, as in ours.
- Each step runs in a child process of its own, as the product's commands
  do: the import (Bleve alone: the indexing) as "visitarchive import", the
  searches as "visitarchive serve" on the index the import left, the
  rebuild as "visitarchive reindex". A phase's peak RSS is the largest
  ru_maxrss of its processes. Peak by step is the resident set sampled
  every 25 ms; "anonymous" leaves out file-backed pages, mostly Bleve's
  memory-mapped index segments. MinIO's own memory and CPU are shown apart
  and are not in our peak. MB is 2^20 bytes.
- **Interactive writes**: last in each backend's phase, a "visitarchive
  serve" built from the code measured opens the store and index the
  import left; the clients (the step's process) sign in as a new
  employee would (the first administrator makes a department and the
  user; the user changes the password set for them and makes an API
  token) and create records of the corpus, filed by that user, through
  the API: each number of -writers clients in turn, then search as an
  auditor, idle and while 8 clients write. The server's figures are its
  own process's; its peak is not in the phase's peak RSS above, which
  stays that of the import, search and rebuild. Bleve alone's write step
  feeds the same records to its own index in small batches.
`

// printTables writes the budget and measurement tables, and those of the
// write step.
func (r *report) printTables(w io.Writer) {
	r.budgetTable(w)
	r.writeBudgetTable(w)
	r.measurementTable(w)
	r.writeTables(w)
	r.writeFloorTable(w)
	if len(r.Mismatches) > 0 {
		fmt.Fprintf(w, "\nWARNING: %d queries found different numbers of records in different phases (see report.md).\n", len(r.Mismatches))
	}
}

func (r *report) budgetTable(w io.Writer) {
	fmt.Fprintf(w, "## Budgets (issue 2)\n\n| Budget | Target | Backend | Measured | Result |\n|---|---|---|---|---|\n")
	for _, b := range r.Budgets {
		result := "n/a (Bleve alone not run)"
		if b.Checked {
			result = map[bool]string{true: "PASS", false: "**FAIL**"}[b.Pass]
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", b.Name, b.Target, b.Phase, b.Shown, result)
	}
}

// measurementTable writes the figures of every phase side by side.
func (r *report) measurementTable(w io.Writer) {
	var cols []*phaseResult
	var head []string
	for _, ph := range searchPhases {
		if res := r.Phases[ph]; res != nil {
			cols = append(cols, res)
			head = append(head, map[string]string{"bleve": "Bleve alone", "disk": "ours, disk", "minio": "ours, MinIO"}[ph])
		}
	}
	if len(cols) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Measurements\n\n| | %s |\n|---|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(cols)))
	row := func(name string, f func(*phaseResult) string) {
		var cells []string
		for _, c := range cols {
			cells = append(cells, f(c))
		}
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	row("indexing / import time", func(c *phaseResult) string { return fmt.Sprintf("%.1f s", c.IndexSeconds) })
	row("records/s", func(c *phaseResult) string { return fmt.Sprintf("%.0f", c.IndexRate) })
	row("search p50 / p95 / p99", func(c *phaseResult) string {
		return fmt.Sprintf("%.1f / %.1f / %.1f ms", c.Search.P50, c.Search.P95, c.Search.P99)
	})
	row("search mean / max", func(c *phaseResult) string { return fmt.Sprintf("%.1f / %.1f ms", c.Search.Mean, c.Search.Max) })
	row("reindex time (records/s)", func(c *phaseResult) string {
		if c.Phase == "bleve" {
			return "—"
		}
		return fmt.Sprintf("%.1f s (%.0f/s)", c.ReindexSeconds, c.ReindexRate)
	})
	row("backup time (records/s, objects, MB)", func(c *phaseResult) string {
		if c.BackupSeconds == 0 {
			return "—"
		}
		return fmt.Sprintf("%.1f s (%.0f/s, %d, %s)", c.BackupSeconds, float64(c.Records)/c.BackupSeconds, c.BackupObjects, mb(c.BackupBytes))
	})
	row("restore time (records/s), before its reindex", func(c *phaseResult) string {
		if c.RestoreSeconds == 0 {
			return "—"
		}
		return fmt.Sprintf("%.1f s (%.0f/s)", c.RestoreSeconds, float64(c.Records)/c.RestoreSeconds)
	})
	row("peak RSS, largest process", func(c *phaseResult) string { return mb(c.PeakRSS) })
	row("peak RSS by process", func(c *phaseResult) string {
		var parts []string
		for _, k := range []string{"index", "import", "search", "reindex", "backup"} {
			if v, ok := c.ProcessPeakRSS[k]; ok {
				parts = append(parts, fmt.Sprintf("%s %s", k, mb(v)))
			}
		}
		return strings.Join(parts, ", ")
	})
	row("of it anonymous (heap, stacks), sampled", func(c *phaseResult) string { return mb(c.PeakAnon) })
	row("peak RSS by step (anonymous)", func(c *phaseResult) string {
		var parts []string
		for _, k := range []string{"index", "import", "search", "reindex", "backup"} {
			if v, ok := c.StepPeakRSS[k]; ok && v > 0 {
				parts = append(parts, fmt.Sprintf("%s %s (%s)", k, mb(v), mb(c.StepPeakAnon[k])))
			}
		}
		return strings.Join(parts, ", ")
	})
	row("CPU per 1000 records, indexing / import", func(c *phaseResult) string {
		step := "import"
		if c.Phase == "bleve" {
			step = "index"
		}
		return fmt.Sprintf("%.2f s", 1000*c.StepCPU[step]/float64(max(c.Records, 1)))
	})
	row("CPU per 1000 records, reindex", func(c *phaseResult) string {
		if c.Phase == "bleve" {
			return "—"
		}
		return fmt.Sprintf("%.2f s", 1000*c.StepCPU["reindex"]/float64(max(c.Records, 1)))
	})
	row("MinIO server CPU per 1000 records, import / reindex", func(c *phaseResult) string {
		if len(c.StepServerCPU) == 0 {
			return "—"
		}
		per := func(step string) float64 { return 1000 * c.StepServerCPU[step] / float64(max(c.Records, 1)) }
		return fmt.Sprintf("%.2f / %.2f s", per("import"), per("reindex"))
	})
	row("CPU user + sys, whole phase", func(c *phaseResult) string { return fmt.Sprintf("%.0f + %.0f s", c.UserCPU, c.SysCPU) })
	row("other processes' CPU meanwhile", func(c *phaseResult) string {
		return fmt.Sprintf("%.0f s (%.0f%% of the machine)", c.OtherCPU, 100*c.OtherCPU/max(c.WallSeconds*float64(r.Environment.NumCPU), 1e-9))
	})
	row("phase wall time", func(c *phaseResult) string { return fmt.Sprintf("%.0f s", c.WallSeconds) })
	row("index on disk", func(c *phaseResult) string { return mb(c.IndexBytes) })
	row("store on disk", func(c *phaseResult) string {
		if c.StoreBytes == 0 {
			return "—"
		}
		return mb(c.StoreBytes)
	})
	row("MinIO server peak RSS / CPU", func(c *phaseResult) string {
		if c.MinIOPeakRSS == 0 {
			return "—"
		}
		return fmt.Sprintf("%s / %.0f s", mb(c.MinIOPeakRSS), c.MinIOCPU)
	})
}

// floorTable writes what Bleve and MinIO cost together, without our
// layers, beside our import on MinIO.
func (r *report) floorTable(w io.Writer) {
	f := r.Phases["floor"]
	if f == nil {
		return
	}
	fmt.Fprintf(w, "\n## The MinIO floor\n\n"+
		"The import without our layers: on a fresh MinIO, batches of %d lines as Archive.Import writes them, each batch's "+
		"objects (every customer and record, and a data key beside each with contact details) put through the S3 backend "+
		"alone (storage/s3, one create-only PUT each), %d at a time, then the batch indexed by Bleve alone (as above) while the next is written. "+
		"No validation, sealing, journal or Archive. The MinIO server shares the machine's cores.\n\n"+
		"| | floor: Bleve + MinIO PUTs | ours, MinIO import |\n|---|---|---|\n", floorBatch, floorPutters)
	m := r.Phases["minio"]
	cell := func(f func(*phaseResult) string) string {
		if m == nil {
			return "—"
		}
		return f(m)
	}
	per := func(c *phaseResult, v float64) string {
		return fmt.Sprintf("%.2f s", 1000*v/float64(max(c.Records, 1)))
	}
	fmt.Fprintf(w, "| records/s | %.0f | %s |\n", f.IndexRate, cell(func(m *phaseResult) string {
		return fmt.Sprintf("%.0f = %.0f%% of the floor", m.IndexRate, 100*m.IndexRate/max(f.IndexRate, 1e-9))
	}))
	if b := r.Phases["bleve"]; b != nil {
		fmt.Fprintf(w, "| share of Bleve alone's rate | %.0f%% | %s |\n", 100*f.IndexRate/b.IndexRate,
			cell(func(m *phaseResult) string { return fmt.Sprintf("%.0f%%", 100*m.IndexRate/b.IndexRate) }))
	}
	fmt.Fprintf(w, "| CPU per 1000 records, importing process | %s | %s |\n", per(f, f.StepCPU["index"]),
		cell(func(m *phaseResult) string { return per(m, m.StepCPU["import"]) }))
	fmt.Fprintf(w, "| MinIO server CPU per 1000 records | %s | %s |\n", per(f, f.StepServerCPU["index"]),
		cell(func(m *phaseResult) string { return per(m, m.StepServerCPU["import"]) }))
}

// kindTable writes the latency by kind of query.
func (r *report) kindTable(w io.Writer) {
	var cols []*phaseResult
	for _, ph := range searchPhases {
		if res := r.Phases[ph]; res != nil {
			cols = append(cols, res)
		}
	}
	if len(cols) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Search latency by kind of query\n\np50 / p95 / max in ms; hits is the mean total of matches.\n\n| kind | queries | hits |")
	for _, c := range cols {
		fmt.Fprintf(w, " %s |", c.Phase)
	}
	fmt.Fprintf(w, "\n|---|---|---|%s\n", strings.Repeat("---|", len(cols)))
	for _, k := range sortedKeys(cols[0].Search.ByKind) {
		ks := cols[0].Search.ByKind[k]
		fmt.Fprintf(w, "| %s | %d | %.0f |", k, ks.N/max(r.Rounds, 1), ks.MeanHits)
		for _, c := range cols {
			s := c.Search.ByKind[k]
			fmt.Fprintf(w, " %.1f / %.1f / %.1f |", s.P50, s.P95, s.Max)
		}
		fmt.Fprintln(w)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown CPU"
	}
	return s
}

// layerTable writes where the wall time of our steps went.
func (r *report) layerTable(w io.Writer) {
	fmt.Fprintf(w, "\n## Where our time goes\n\nBusy is the wall time during which at least one call of the layer was in flight, "+
		"as a share of the step; calls of one layer may run in parallel, and layers may overlap. "+
		"Journal appends include the journal's own store writes; store gets include reading the body.\n\n"+
		"| backend | step | step time | layer call | calls | busy | mean per call |\n|---|---|---|---|---|---|---|\n")
	for _, ph := range []string{"disk", "minio"} {
		res := r.Phases[ph]
		if res == nil {
			continue
		}
		for _, step := range []string{"import", "search", "reindex"} {
			layers := res.Layers[step]
			wall := res.StepSeconds[step]
			for _, name := range sortedKeys(layers) {
				l := layers[name]
				fmt.Fprintf(w, "| %s | %s | %.1f s | %s | %d | %.1f s (%.0f%%) | %.2f ms |\n",
					ph, step, wall, name, l.Calls, l.BusySeconds, 100*l.BusySeconds/max(wall, 1e-9), l.MeanMs)
			}
		}
	}
}

// ablationTable writes what parts of the search request cost, measured on
// Bleve alone.
func (r *report) ablationTable(w io.Writer) {
	b := r.Phases["bleve"]
	if b == nil || len(b.Ablations) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## What the parts of a search cost (Bleve alone)\n\n"+
		"The query set with parts of the plain Bleve request (index.Request) left out, one timed round each.\n\n"+
		"| request | p50 | p95 | p99 | mean |\n|---|---|---|---|---|\n")
	fmt.Fprintf(w, "| as index.Request asks | %.1f ms | %.1f ms | %.1f ms | %.1f ms |\n", b.Search.P50, b.Search.P95, b.Search.P99, b.Search.Mean)
	for _, name := range []string{"no facets", "no highlighting", "neither", "count only"} {
		if l, ok := b.Ablations[name]; ok {
			fmt.Fprintf(w, "| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms |\n", name, l.P50, l.P95, l.P99, l.Mean)
		}
	}
}
