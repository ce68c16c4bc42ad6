package main

import (
	"cmp"
	"fmt"
	"io"
	"strings"
)

// The budgets of issue 15 (interactive writes), stated for 20,000 and
// 100,000 records.
const (
	budgetWriteClients   = 8   // the clients the budgets are stated for
	budgetWriteShare     = 0.5 // of the bulk import's rate
	budgetWriteP99ms     = 100 // create latency
	budgetWriteSearch    = 2.0 // search p95 while writing, times idle
	budgetWriteCPU       = 2.0 // server CPU per record, times the import's
	budgetWriteBaseline  = 1   // clients whose rate more clients must reach
	budgetWriteMoreShare = 1.0 // of the baseline's rate
	budgetWriteMost      = 32  // the most clients the budgets name
	budgetWriteRecords   = 20000

	// Issue 17: the search page against the same search through the API.
	budgetPageTimes = 2.0        // page p95, times the API's
	budgetPageBytes = 200 * 1024 // the largest page, without images
)

// level returns the level of clients, or nil when it did not run.
func (w *writeResult) level(clients int) *writeLevel {
	for i := range w.Levels {
		if w.Levels[i].Clients == clients {
			return &w.Levels[i]
		}
	}
	return nil
}

// importMsPerRecord is the CPU milliseconds per record of the phase's
// bulk import (its process, as the report's "CPU per 1000 records").
func (res *phaseResult) importMsPerRecord() float64 {
	return 1000 * res.StepCPU["import"] / float64(max(res.Records, 1))
}

// writeBudgets checks the budgets of issue 15 on what phase res measured.
// A budget whose figures did not run (a -writers without 1 or 8) is
// unchecked, and says which are missing.
func writeBudgets(res *phaseResult) []budget {
	w, ph := res.Writes, res.Phase
	one, eight := w.level(budgetWriteBaseline), w.level(budgetWriteClients)
	missing := func(clients int) string { return fmt.Sprintf("no level of %d clients ran", clients) }
	var bs []budget

	b := budget{Name: "API create rate, 8 clients", Target: fmt.Sprintf("≥ %.0f%% of the bulk import", 100*budgetWriteShare), Phase: ph}
	if eight == nil {
		b.Shown = missing(budgetWriteClients)
	} else {
		b.Value, b.Limit, b.Checked = eight.Rate, budgetWriteShare*res.IndexRate, true
		b.Pass = b.Value >= b.Limit
		b.Shown = fmt.Sprintf("%.1f/s = %.0f%% of %.0f/s (limit %.1f/s)", b.Value, 100*b.Value/max(res.IndexRate, 1e-9), res.IndexRate, b.Limit)
	}
	bs = append(bs, b)

	for _, clients := range []int{budgetWriteClients, budgetWriteMost} {
		b := budget{Name: fmt.Sprintf("API create rate, %d clients vs 1", clients), Target: "≥ that of 1 client", Phase: ph}
		more := w.level(clients)
		switch {
		case one == nil:
			b.Shown = missing(budgetWriteBaseline)
		case more == nil:
			b.Shown = missing(clients)
		default:
			b.Value, b.Limit, b.Checked = more.Rate, budgetWriteMoreShare*one.Rate, true
			b.Pass = b.Value >= b.Limit
			b.Shown = fmt.Sprintf("%.1f/s = %.2f× %.1f/s", b.Value, b.Value/max(one.Rate, 1e-9), one.Rate)
		}
		bs = append(bs, b)
	}

	b = budget{Name: "create p99, 8 clients", Target: fmt.Sprintf("≤ %d ms", budgetWriteP99ms), Phase: ph}
	if eight == nil {
		b.Shown = missing(budgetWriteClients)
	} else {
		b.Value, b.Limit, b.Checked = eight.Latency.P99, budgetWriteP99ms, true
		b.Pass = b.Value <= b.Limit
		b.Shown = fmt.Sprintf("%.1f ms", b.Value)
	}
	bs = append(bs, b)

	b = budget{Name: "search p95 while 8 clients write", Target: fmt.Sprintf("≤ %.0f× idle", budgetWriteSearch), Phase: ph,
		Value: w.SearchWriting.P95, Limit: budgetWriteSearch * w.SearchIdle.P95, Checked: w.SearchWriting.N > 0 && w.SearchIdle.N > 0}
	b.Pass = b.Checked && b.Value <= b.Limit
	b.Shown = fmt.Sprintf("%.1f ms = %.2f× %.1f ms idle", b.Value, b.Value/max(w.SearchIdle.P95, 1e-9), w.SearchIdle.P95)
	bs = append(bs, b)

	b = budget{Name: "server CPU per created record, 8 clients", Target: fmt.Sprintf("≤ %.0f× the bulk import's", budgetWriteCPU), Phase: ph}
	if eight == nil {
		b.Shown = missing(budgetWriteClients)
	} else {
		imp := res.importMsPerRecord()
		b.Value, b.Limit, b.Checked = eight.serverMsPerRecord(), budgetWriteCPU*imp, true
		b.Pass = b.Value <= b.Limit
		b.Shown = fmt.Sprintf("%.2f ms = %.1f× %.2f ms (limit %.2f ms)", b.Value, b.Value/max(imp, 1e-9), imp, b.Limit)
	}
	return append(bs, b, pageTimeBudget(w, ph), pageSizeBudget(w, ph))
}

// pageTimeBudget checks issue 17's search page against the same searches
// through the API, both idle.
func pageTimeBudget(w *writeResult, ph string) budget {
	b := budget{Name: "search page p95 (issue 17)", Target: fmt.Sprintf("≤ %.0f× the API's", budgetPageTimes), Phase: ph,
		Value: w.SearchPage.P95, Limit: budgetPageTimes * w.SearchIdle.P95, Checked: w.SearchPage.N > 0 && w.SearchIdle.N > 0}
	b.Pass = b.Checked && b.Value <= b.Limit
	b.Shown = fmt.Sprintf("%.1f ms = %.2f× %.1f ms", b.Value, b.Value/max(w.SearchIdle.P95, 1e-9), w.SearchIdle.P95)
	return b
}

// pageSizeBudget checks the largest search page the query set got.
func pageSizeBudget(w *writeResult, ph string) budget {
	b := budget{Name: "largest search page (issue 17)", Target: fmt.Sprintf("≤ %d KB", budgetPageBytes/1024), Phase: ph,
		Value: float64(w.SearchPageMax), Limit: budgetPageBytes, Checked: w.SearchPage.N > 0}
	b.Pass = b.Checked && b.Value <= b.Limit
	b.Shown = fmt.Sprintf("%.0f KB", b.Value/1024)
	return b
}

func (r *report) writeBudgetTable(w io.Writer) {
	if len(r.WriteBudgets) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Budgets (issue 15: interactive writes)\n\n")
	if r.Corpus.Records < budgetWriteRecords {
		fmt.Fprintf(w, "The budgets are stated for %d and %d records; this run has %d.\n\n", budgetWriteRecords, budgetRecords, r.Corpus.Records)
	}
	fmt.Fprintf(w, "| Budget | Target | Backend | Measured | Result |\n|---|---|---|---|---|\n")
	for _, b := range r.WriteBudgets {
		result := "n/a"
		if b.Checked {
			result = map[bool]string{true: "PASS", false: "**FAIL**"}[b.Pass]
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", b.Name, b.Target, b.Phase, b.Shown, result)
	}
}

// writeTables writes the figures of the write step of each backend.
func (r *report) writeTables(w io.Writer) {
	first := true
	for _, ph := range []string{"disk", "minio"} {
		res := r.Phases[ph]
		if res == nil || res.Writes == nil {
			continue
		}
		if first {
			fmt.Fprintf(w, "\n## Interactive writes (issue 15)\n\n"+
				"Records created one at a time through POST /api/v1/records of a running `visitarchive serve` (built from the "+
				"code measured, in a process of its own) on the store and index the import left, by clients that share one "+
				"employee's API token; each client takes the next record not yet created. Server CPU is the server process's "+
				"user + system time from the first request until it is idle again (at most %.0f ms of CPU in %s), so that Bleve's "+
				"merging of what the creates indexed counts; \"after the last answer\" is that part of it. Peak RSS is the server's, "+
				"sampled every 25 ms; what it held when a level began (the first level: what the sign-ins' password checks, "+
				"64 MiB each, left) counts towards that level's peak. The bulk import column is the import step above "+
				"(its own process).\n",
				settleIdle*1000, settleWindow)
			first = false
		}
		r.writeTable(w, res)
	}
}

func (r *report) writeTable(w io.Writer, res *phaseResult) {
	wr := res.Writes
	fmt.Fprintf(w, "\n### %s: %d records per level\n\n|  |", map[string]string{"disk": "Disk", "minio": "MinIO"}[res.Phase], wr.PerLevel)
	for _, l := range wr.Levels {
		fmt.Fprintf(w, " %s |", plural(l.Clients, "client"))
	}
	fmt.Fprintf(w, " bulk import |\n|---|%s---|\n", strings.Repeat("---|", len(wr.Levels)))
	row := func(name string, f func(l writeLevel) string, bulk string) {
		fmt.Fprintf(w, "| %s |", name)
		for _, l := range wr.Levels {
			fmt.Fprintf(w, " %s |", f(l))
		}
		fmt.Fprintf(w, " %s |\n", bulk)
	}
	per := func(v float64, l writeLevel) string { return fmt.Sprintf("%.2f ms", 1000*v/float64(max(l.Records, 1))) }
	row("records/s", func(l writeLevel) string { return fmt.Sprintf("%.1f", l.Rate) }, fmt.Sprintf("%.0f", res.IndexRate))
	row("create latency p50 / p95 / p99", func(l writeLevel) string {
		return fmt.Sprintf("%.1f / %.1f / %.1f ms", l.Latency.P50, l.Latency.P95, l.Latency.P99)
	}, "—")
	row("create latency mean / max", func(l writeLevel) string { return fmt.Sprintf("%.1f / %.1f ms", l.Latency.Mean, l.Latency.Max) }, "—")
	row("server CPU per record", func(l writeLevel) string { return per(l.ServerCPU, l) },
		fmt.Sprintf("%.2f ms", res.importMsPerRecord()))
	row("of it after the last answer", func(l writeLevel) string {
		s := per(l.ServerCPUAfter, l)
		if !l.Settled {
			s += " (not idle after " + fmt.Sprintf("%.0f s)", l.SettleSeconds)
		}
		return s
	}, "—")
	row("of it in the kernel", func(l writeLevel) string { return per(l.ServerSysCPU, l) }, "—")
	row("server major page faults", func(l writeLevel) string { return fmt.Sprint(l.ServerMajorFaults) }, "—")
	row("records per index update", func(l writeLevel) string {
		if l.IndexApplies == 0 {
			return "—"
		}
		return fmt.Sprintf("%.1f (%d updates)", l.groupSize(), l.IndexApplies)
	}, "—")
	row("server peak RSS (anonymous)", func(l writeLevel) string {
		return fmt.Sprintf("%s (%s)", mb(l.ServerPeakRSS), mb(l.ServerPeakAnon))
	}, fmt.Sprintf("%s (%s)", mb(res.StepPeakRSS["import"]), mb(res.StepPeakAnon["import"])))
	row("server RSS when the level began", func(l writeLevel) string { return mb(l.ServerStartRSS) }, "—")
	if res.Phase == "minio" {
		row("MinIO server CPU per record", func(l writeLevel) string { return per(l.MinIOCPU, l) },
			fmt.Sprintf("%.2f ms", 1000*res.StepServerCPU["import"]/float64(max(res.Records, 1))))
	}
	row("clients' CPU per record", func(l writeLevel) string { return per(l.ClientCPU, l) }, "—")
	row("other processes' CPU meanwhile", func(l writeLevel) string {
		return fmt.Sprintf("%.0f%% of the machine", 100*l.OtherCPU/max(l.OtherOf, 1e-9))
	}, "—")

	fmt.Fprintf(w, "\nSearch: the query set through GET /api/v1/search as an auditor (who reads every record), "+
		"one warm-up round and %s each, on the idle server and while %d clients create records.\n\n"+
		"| | idle | while %d clients write |\n|---|---|---|\n", plural(r.Rounds, "timed round"), wr.WritingClients, wr.WritingClients)
	fmt.Fprintf(w, "| search p50 / p95 / p99 | %.1f / %.1f / %.1f ms | %.1f / %.1f / %.1f ms |\n",
		wr.SearchIdle.P50, wr.SearchIdle.P95, wr.SearchIdle.P99, wr.SearchWriting.P50, wr.SearchWriting.P95, wr.SearchWriting.P99)
	fmt.Fprintf(w, "| search mean / max | %.1f / %.1f ms | %.1f / %.1f ms |\n",
		wr.SearchIdle.Mean, wr.SearchIdle.Max, wr.SearchWriting.Mean, wr.SearchWriting.Max)
	fmt.Fprintf(w, "| records created meanwhile | — | %d (%.1f/s) |\n", wr.WritingCreated, wr.WritingRate)
	fmt.Fprintf(w, "\nThe same queries through the search page (GET /search, HTML, the auditor's session), idle: "+
		"p50 / p95 / p99 %.1f / %.1f / %.1f ms, the largest page %.0f KB.\n",
		wr.SearchPage.P50, wr.SearchPage.P95, wr.SearchPage.P99, float64(wr.SearchPageMax)/1024)
	fmt.Fprintf(w, "\nThe server was ready %.1f s after it started; its peak RSS over the whole step was %s, its CPU %.1f s. "+
		"Its search found all %d records it acknowledged.\n", wr.ReadySeconds, mb(wr.ServerPeakRSS), wr.ServerCPU, wr.Indexed)
}

// writeFloorTable writes Bleve alone's write step beside its bulk
// indexing, its search while it is fed, and the budgets of issue 15
// measured on it: their floor.
func (r *report) writeFloorTable(w io.Writer) {
	b := r.Phases["bleve"]
	if b == nil || len(b.WriteFloor) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## The index alone under writes (Bleve alone)\n\n"+
		"The records of the API levels, fed by one goroutine to the Bleve-alone index that its indexing built, one batch "+
		"after another, in batches of each size: first with Bleve's default options, then with those the index opens "+
		"its shards with (index.RuntimeConfig: its merge options, and batches that return once searchable). CPU is this "+
		"process's from the first batch until it is idle again, as for the server. Bleve alone makes one Bleve batch per "+
		"batch; index.Apply also records the journal sequence (one more), and the server stores and journals each record.\n\n"+
		"| batch size | options | records | records/s | CPU per record | of it after the last batch | batch p50 / p99 |\n|---|---|---|---|---|---|---|\n")
	for _, f := range b.WriteFloor {
		fmt.Fprintf(w, "| %d | %s | %d | %.0f | %.2f ms | %.2f ms | %.1f / %.1f ms |\n", f.Batch, cmp.Or(f.Options, bleveOptions),
			f.Records, f.Rate, f.msPerRecord(), 1000*f.CPUAfter/float64(max(f.Records, 1)), f.BatchLatency.P50, f.BatchLatency.P99)
	}
	fmt.Fprintf(w, "| %d (bulk indexing) | %s | %d | %.0f | %.2f ms | — | — |\n", bleveBatch, bleveOptions, b.Records, b.IndexRate,
		b.bleveMsPerRecord())
	if s := b.WriteSearch; s != nil {
		fmt.Fprintf(w, "\nSearch on Bleve alone (its plain request, as in its search step), idle and while one goroutine feeds it "+
			"batches of %d as fast as it takes them (index.RuntimeConfig), in the same process:\n\n"+
			"| | idle | while fed |\n|---|---|---|\n", s.Batch)
		fmt.Fprintf(w, "| search p50 / p95 / p99 | %.1f / %.1f / %.1f ms | %.1f / %.1f / %.1f ms |\n",
			s.Idle.P50, s.Idle.P95, s.Idle.P99, s.Writing.P50, s.Writing.P95, s.Writing.P99)
		fmt.Fprintf(w, "| records fed meanwhile | — | %d (%.0f/s) |\n", s.Fed, s.Rate)
	}
	r.writeFloorBudgets(w, b)
}

// floor returns Bleve alone's write of batches of size with options, or
// nil.
func (res *phaseResult) floor(size int, options string) *floorWrite {
	for i, f := range res.WriteFloor {
		if f.Batch == size && f.Options == options {
			return &res.WriteFloor[i]
		}
	}
	return nil
}

// bleveMsPerRecord is the CPU milliseconds per record of Bleve alone's
// bulk indexing.
func (res *phaseResult) bleveMsPerRecord() float64 {
	return 1000 * res.StepCPU["index"] / float64(max(res.Records, 1))
}

// writeFloorBudgets writes the budgets of issue 15 measured on Bleve
// alone, fed batches of as many records as clients, with the index's
// options: what no layer above Bleve can beat.
func (r *report) writeFloorBudgets(w io.Writer, b *phaseResult) {
	one, eight := b.floor(budgetWriteBaseline, ourOptions), b.floor(budgetWriteClients, ourOptions)
	if one == nil || eight == nil {
		return
	}
	fmt.Fprintf(w, "\nThe budgets of issue 15 measured on Bleve alone, where a batch of %d records stands for %d clients "+
		"whose creates arrive together (the largest group they can make, since each waits for its record to be "+
		"searchable), against Bleve alone's own bulk indexing. A budget Bleve alone misses is out of reach of any "+
		"layer above it.\n\n| Budget | Target | Bleve alone | Within it |\n|---|---|---|---|\n", budgetWriteClients, budgetWriteClients)
	yes := map[bool]string{true: "yes", false: "**no**"}
	row := func(name, target, shown string, ok bool) {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", name, target, shown, yes[ok])
	}
	row("rate, batches of 8", fmt.Sprintf("≥ %.0f%% of bulk indexing", 100*budgetWriteShare),
		fmt.Sprintf("%.0f/s = %.0f%% of %.0f/s", eight.Rate, 100*eight.Rate/max(b.IndexRate, 1e-9), b.IndexRate),
		eight.Rate >= budgetWriteShare*b.IndexRate)
	row("rate, batches of 8 vs 1", "≥ that of 1", fmt.Sprintf("%.0f/s = %.2f× %.0f/s", eight.Rate, eight.Rate/max(one.Rate, 1e-9), one.Rate),
		eight.Rate >= budgetWriteMoreShare*one.Rate)
	row("batch p99, batches of 8", fmt.Sprintf("≤ %d ms", budgetWriteP99ms), fmt.Sprintf("%.1f ms", eight.BatchLatency.P99),
		eight.BatchLatency.P99 <= budgetWriteP99ms)
	if s := b.WriteSearch; s != nil {
		row("search p95 while fed batches of 8", fmt.Sprintf("≤ %.0f× idle", budgetWriteSearch),
			fmt.Sprintf("%.1f ms = %.2f× %.1f ms idle", s.Writing.P95, s.Writing.P95/max(s.Idle.P95, 1e-9), s.Idle.P95),
			s.Writing.P95 <= budgetWriteSearch*s.Idle.P95)
	}
	bulk := b.bleveMsPerRecord()
	row("CPU per record, batches of 8", fmt.Sprintf("≤ %.0f× bulk indexing", budgetWriteCPU),
		fmt.Sprintf("%.2f ms = %.1f× %.2f ms", eight.msPerRecord(), eight.msPerRecord()/max(bulk, 1e-9), bulk),
		eight.msPerRecord() <= budgetWriteCPU*bulk)
}

// plural is n and what, with an s unless n is 1.
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
