package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// The write step: records created one at a time through the API of a
// running server, as people and scripts create them, by 1, 8 and 32
// clients at once (-writers), beside the bulk import of the phase. The
// server is `visitarchive serve` itself (built from this module, see
// buildVisitarchive), started on the store and index that the phase's
// import left, in a process of its own: its CPU time and memory are
// measured apart from the clients', which run in the step's process.
//
// The clients sign in as a new employee does: the administrator creates
// a department and the user; the user signs in, changes the password the
// administrator set, and makes an API token, which every client sends.
// Each record is a record of the corpus (records [0, m) for the first
// level, [m, 2m) for the second, …), filed by that user in that
// department, and given an id by the server. Its visit ended an hour
// before the step began: a record is filed soon after the visit, and one
// whose filing deadline has passed would draw overdue notices, which the
// server writes in the background (the imported records have no
// deadline).
//
// Search is measured as an auditor (who reads every record, like the
// operator of the search step) over the API: the query set with the
// server idle, then again while mixedClients clients write.

// Who the write step signs in as.
const (
	writeDept  va.DepartmentID = "bench-write"
	writeUser  va.UserName     = "bench-writer"
	searchUser va.UserName     = "bench-auditor"
)

// mixedClients is how many clients write while search latency is
// measured: those of the budget.
const mixedClients = budgetWriteClients

// writeResult is what the write step measured on one backend.
type writeResult struct {
	PerLevel int          `json:"records_per_level"`
	Levels   []writeLevel `json:"levels"`

	// Search as the auditor over HTTP: idle, and while mixedClients
	// clients write (WritingCreated records, at WritingRate).
	SearchIdle    latency `json:"search_idle"`
	SearchWriting latency `json:"search_while_writing"`
	// The same query set through the search page (GET /search, HTML),
	// idle, and the largest page it answered.
	SearchPage     latency `json:"search_page"`
	SearchPageMax  int     `json:"search_page_max_bytes"`
	WritingClients int     `json:"search_writing_clients"`
	WritingCreated int     `json:"search_writing_created"`
	WritingRate    float64 `json:"search_writing_creates_per_second"`

	// Indexed is how many records of the writer the server's search
	// found at the end: every one it acknowledged.
	Indexed int `json:"indexed"`

	ReadySeconds  float64 `json:"server_ready_seconds"`    // from the start of serve until /readyz answered
	ServerPeakRSS int64   `json:"server_peak_rss_bytes"`   // ru_maxrss of the server, whole run
	ServerCPU     float64 `json:"server_cpu_seconds"`      // user + system, whole run
	ServerLog     string  `json:"server_log,omitempty"`    // where its log was (gone unless -keep)
	Binary        string  `json:"server_binary,omitempty"` // the visitarchive binary served with
}

// writeLevel is the creates of one number of concurrent clients.
type writeLevel struct {
	Clients int     `json:"clients"`
	Records int     `json:"records"`
	Seconds float64 `json:"seconds"` // from the first request until the last answer
	Rate    float64 `json:"creates_per_second"`
	Latency latency `json:"latency"` // of each create, request to answer read

	// ServerCPU is the server's CPU time from the first request until it
	// had settled after the last answer (see settle); ServerCPUAfter the
	// part after the last answer (Bleve merging and persisting what the
	// creates indexed, tables for search).
	ServerCPU      float64 `json:"server_cpu_seconds"`
	ServerCPUAfter float64 `json:"server_cpu_after_seconds"`
	// Of ServerCPU, the part in the kernel; and the server's page
	// faults that read from the disk meanwhile (files the kernel had
	// dropped from its cache: Bleve's segments, the store's objects).
	ServerSysCPU      float64 `json:"server_sys_cpu_seconds"`
	ServerMajorFaults int64   `json:"server_major_faults"`
	SettleSeconds     float64 `json:"settle_seconds"`
	Settled           bool    `json:"settled"`
	// The server's resident set, sampled every 25 ms during the level,
	// and when the level began (what earlier work left resident: the
	// sign-ins' password checks take 64 MiB each).
	ServerPeakRSS  int64 `json:"server_peak_rss_bytes"`
	ServerPeakAnon int64 `json:"server_peak_anon_bytes"`
	ServerStartRSS int64 `json:"server_start_rss_bytes"`

	MinIOCPU  float64 `json:"minio_cpu_seconds,omitempty"` // the MinIO server's, minio phase
	ClientCPU float64 `json:"client_cpu_seconds"`          // this process's: the clients
	// OtherCPU is what other processes of the machine used meanwhile,
	// out of OtherOf CPU seconds (wall time × cores).
	OtherCPU float64 `json:"other_processes_cpu_seconds"`
	OtherOf  float64 `json:"other_processes_of_seconds"`

	// The server's updates of its index during the level, and the records
	// they held (from its /metrics): their ratio is the size of a group of
	// writes that arrived together.
	IndexApplies int `json:"index_applies"`
	IndexDocs    int `json:"index_applied_records"`
}

// groupSize is the records an update of the index held on average, 0
// when unknown.
func (l writeLevel) groupSize() float64 {
	if l.IndexApplies == 0 {
		return 0
	}
	return float64(l.IndexDocs) / float64(l.IndexApplies)
}

// serverMsPerRecord is the server's CPU milliseconds per created record.
func (l writeLevel) serverMsPerRecord() float64 {
	return 1000 * l.ServerCPU / float64(max(l.Records, 1))
}

// parseWriters parses -writers: the numbers of concurrent clients, in
// order; none for "", "0" or "none".
func parseWriters(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" || s == "none" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return nil, fmt.Errorf("-writers: %q is not a number of clients from 1 to 1024", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// writesPerLevel is how many records each level creates: flag when set,
// else 2,000 or a tenth of the corpus, whichever is smaller.
func writesPerLevel(records, flag int) int {
	if flag > 0 {
		return flag
	}
	return max(1, min(2000, records/10))
}

// filedBy returns r as user files it now in dept: with no id (the
// server gives one), the user its only visitor, and the visit moved to
// end an hour before now, its length kept.
func filedBy(r *va.Record, user va.UserName, dept va.DepartmentID, now time.Time) *va.Record {
	c := *r
	c.ID, c.Version, c.Status = "", 0, ""
	c.Department, c.Visitors = dept, []va.UserName{user}
	length := r.VisitEnd.Sub(r.VisitStart)
	c.VisitEnd = now.Add(-time.Hour).Truncate(time.Minute).In(r.VisitEnd.Location())
	c.VisitStart = c.VisitEnd.Add(-length)
	return &c
}

// corpusRecords reads the customers of the corpus and its first k
// records (all of them when it has fewer).
func (p *phase) corpusRecords(k int) (map[va.CustomerID]*va.Customer, []*va.Record, error) {
	f, err := os.Open(filepath.Join(p.o.work, corpusFile))
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	customers := map[va.CustomerID]*va.Customer{}
	var records []*va.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for len(records) < k && sc.Scan() {
		var l importLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, nil, err
		}
		if l.Customer != nil {
			customers[l.Customer.ID] = l.Customer
		} else {
			records = append(records, l.Record)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	if len(records) == 0 {
		return nil, nil, fmt.Errorf("the corpus has no records")
	}
	return customers, records, nil
}

// writeBodies returns the JSON bodies of k creates: record i of the
// corpus (cycling when it has fewer than k) filed by writeUser.
func (p *phase) writeBodies(k int) ([][]byte, error) {
	_, records, err := p.corpusRecords(k)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	bodies := make([][]byte, k)
	for i := range bodies {
		if bodies[i], err = json.Marshal(filedBy(records[i%len(records)], writeUser, writeDept, now)); err != nil {
			return nil, err
		}
	}
	return bodies, nil
}

// write is the write step of phase disk or minio.
func (p *phase) write(ctx context.Context) error {
	levels, err := parseWriters(p.o.writers)
	if err != nil {
		return err
	}
	m := writesPerLevel(p.meta.Records, p.o.writeRecords)
	bodies, err := p.writeBodies((len(levels) + 1) * m)
	if err != nil {
		return err
	}
	end := p.step("write")
	defer end()
	adminPassword := randomHex(12)
	args, env := p.serveFlags()
	res := &writeResult{PerLevel: m, Binary: p.o.visitarchive, ServerLog: filepath.Join(p.dir, "serve.log")}
	start := time.Now()
	srv, err := startServe(ctx, p.o.visitarchive, args, append(env, "VISITARCHIVE_ADMIN_PASSWORD="+adminPassword), res.ServerLog)
	if err != nil {
		return err
	}
	defer srv.stop()
	res.ReadySeconds = time.Since(start).Seconds()
	p.logf("write: visitarchive serve ready in %s", time.Since(start).Round(time.Millisecond))
	w := &writeRun{p: p, srv: srv}
	if err := w.signIn(ctx, adminPassword); err != nil {
		return err
	}
	for i, clients := range levels {
		l, err := w.level(ctx, clients, bodies[i*m:(i+1)*m])
		if err != nil {
			return err
		}
		res.Levels = append(res.Levels, l)
	}
	if err := w.searchIdleAndWriting(ctx, res, bodies[len(levels)*m:]); err != nil {
		return err
	}
	created := len(levels)*m + res.WritingCreated
	if res.Indexed, err = w.indexed(ctx, created); err != nil {
		return err
	}
	if err := srv.stop(); err != nil {
		return err
	}
	res.ServerPeakRSS, res.ServerCPU = srv.peakRSS, srv.cpu
	p.res.Writes = res
	return nil
}

// serveFlags are the flags and environment that make serve open the
// phase's store, journal, index and key file, as the import left them.
func (p *phase) serveFlags() (args, env []string) {
	args = []string{"--data", p.dir}
	if p.o.phase == "minio" {
		cfg := p.s3Config("visitarchive-bench")
		args = append(args, "--storage", "s3", "--s3-endpoint", cfg.Endpoint, "--s3-bucket", cfg.Bucket)
		env = []string{"VISITARCHIVE_S3_ACCESS_KEY=" + cfg.AccessKey, "VISITARCHIVE_S3_SECRET_KEY=" + cfg.SecretKey}
	}
	return args, env
}

// writeRun is the write step's server and its users.
type writeRun struct {
	p       *phase
	srv     *serveProcess
	writer  *apiClient // writeUser's API token
	auditor *apiClient // searchUser's
	// auditorPages is searchUser's session, as a browser holds it.
	auditorPages *apiClient
}

// signIn creates the department and the users as the first
// administrator, and has each user make its API token.
func (w *writeRun) signIn(ctx context.Context, adminPassword string) error {
	admin, _, err := signIn(ctx, w.srv.base, "admin", adminPassword)
	if err != nil {
		return err
	}
	if err := admin.callJSON(ctx, http.MethodPost, "/api/v1/departments",
		map[string]string{"id": string(writeDept), "name": "Benchmark writers"}, http.StatusCreated, nil); err != nil {
		return err
	}
	for _, u := range []struct {
		name          va.UserName
		role          va.Role
		client, pages **apiClient
	}{{writeUser, va.RoleEmployee, &w.writer, new(*apiClient)}, {searchUser, va.RoleAuditor, &w.auditor, &w.auditorPages}} {
		password := randomHex(12)
		if err := admin.callJSON(ctx, http.MethodPost, "/api/v1/users", map[string]any{"name": u.name, "display_name": string(u.name),
			"department": writeDept, "roles": []va.Role{u.role}, "password": password}, http.StatusCreated, nil); err != nil {
			return err
		}
		token, session, err := userToken(ctx, w.srv.base, u.name, password)
		if err != nil {
			return err
		}
		*u.client, *u.pages = withToken(w.srv.base, token), session
	}
	return nil
}

// level creates bodies with clients concurrent clients and measures it:
// from a settled server until it has settled again.
func (w *writeRun) level(ctx context.Context, clients int, bodies [][]byte) (writeLevel, error) {
	l := writeLevel{Clients: clients, Records: len(bodies)}
	if _, _, err := settle(ctx, w.srv.cpuSeconds); err != nil {
		return l, err
	}
	w.srv.rss.take()
	l.ServerStartRSS, _, _ = w.srv.rss.current()
	store := serverPID()
	applies0, docs0 := w.srv.indexApplies(ctx)
	stat0, store0, self0, machine0 := readProcStat(w.srv.pid()), storeCPU(store), selfCPU(), machineCPU()
	server0 := stat0.user + stat0.sys
	start := time.Now()
	stop := ticker(w.p.o.interval, func() string {
		return fmt.Sprintf("[%s] write: %s, %.0f s", w.p.o.phase, plural(clients, "client"), time.Since(start).Seconds())
	})
	samples, err := w.createAll(ctx, clients, bodies)
	stop()
	if err != nil {
		return l, err
	}
	l.Seconds = time.Since(start).Seconds()
	l.Rate = float64(len(bodies)) / l.Seconds
	l.Latency = latencyOf(samples)
	applies, docs := w.srv.indexApplies(ctx)
	l.IndexApplies, l.IndexDocs = int(applies-applies0), int(docs-docs0)
	during := w.srv.cpuSeconds() - server0
	waited, settled, err := settle(ctx, w.srv.cpuSeconds)
	if err != nil {
		return l, err
	}
	l.SettleSeconds, l.Settled = waited.Seconds(), settled
	stat := readProcStat(w.srv.pid())
	l.ServerCPU = stat.user + stat.sys - server0
	l.ServerCPUAfter = l.ServerCPU - during
	l.ServerSysCPU, l.ServerMajorFaults = stat.sys-stat0.sys, stat.majorFaults-stat0.majorFaults
	l.ServerPeakRSS, l.ServerPeakAnon = w.srv.rss.take()
	l.MinIOCPU = storeCPU(store) - store0
	l.ClientCPU = selfCPU() - self0
	if machine0 >= 0 {
		l.OtherCPU = max(machineCPU()-machine0-l.ServerCPU-l.MinIOCPU-l.ClientCPU, 0)
		l.OtherOf = time.Since(start).Seconds() * float64(runtime.NumCPU())
	}
	w.p.logf("write: %s created %d records in %.1f s: %.1f/s, p50 %.1f ms, p99 %.1f ms; server CPU %.1f ms per record (%.1f after the last answer, %.1f in the kernel), %d major page faults; %.1f records per index update",
		plural(clients, "client"), len(bodies), l.Seconds, l.Rate, l.Latency.P50, l.Latency.P99, l.serverMsPerRecord(),
		1000*l.ServerCPUAfter/float64(len(bodies)), 1000*l.ServerSysCPU/float64(len(bodies)), l.ServerMajorFaults, l.groupSize())
	if err := w.srv.alive(); err != nil {
		return l, err
	}
	return l, nil
}

// storeCPU is the CPU time of the MinIO server pid, 0 when there is none.
func storeCPU(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	return processCPU(pid)
}

// createAll creates every one of bodies, clients at a time, each client
// taking the next body not yet taken, and returns how long each create
// took.
func (w *writeRun) createAll(ctx context.Context, clients int, bodies [][]byte) ([]time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	samples := make([]time.Duration, len(bodies))
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(bodies) {
					return
				}
				t0 := time.Now()
				if err := w.writer.call(ctx, http.MethodPost, "/api/v1/records", bodies[i], http.StatusCreated, nil); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
				samples[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	return samples, first
}

// searchIdleAndWriting times the query set as the auditor on the settled
// server, then again while mixedClients clients create records of bodies
// (cycling through them) until the searches are done.
func (w *writeRun) searchIdleAndWriting(ctx context.Context, res *writeResult, bodies [][]byte) error {
	if _, _, err := settle(ctx, w.srv.cpuSeconds); err != nil {
		return err
	}
	var err error
	if res.SearchIdle, err = w.searchRounds(ctx, "write: search, idle"); err != nil {
		return err
	}
	if res.SearchPage, res.SearchPageMax, err = w.pageRounds(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var created, next atomic.Int64
	var first error
	var once sync.Once
	stop := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	for range mixedClients {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := int(next.Add(1)-1) % len(bodies)
				if err := w.writer.call(ctx, http.MethodPost, "/api/v1/records", bodies[i], http.StatusCreated, nil); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
				created.Add(1)
			}
		})
	}
	res.SearchWriting, err = w.searchRounds(ctx, fmt.Sprintf("write: search while %d clients write", mixedClients))
	close(stop)
	wg.Wait()
	if first != nil {
		return first
	}
	if err != nil {
		return err
	}
	res.WritingClients, res.WritingCreated = mixedClients, int(created.Load())
	res.WritingRate = float64(res.WritingCreated) / time.Since(start).Seconds()
	w.p.logf("write: search p95 %.1f ms idle, %.1f ms while %d clients created %d records (%.1f/s)",
		res.SearchIdle.P95, res.SearchWriting.P95, mixedClients, res.WritingCreated, res.WritingRate)
	return nil
}

// searchRounds runs the query set through GET /api/v1/search as the
// auditor: a warm-up round, then -rounds timed rounds.
func (w *writeRun) searchRounds(ctx context.Context, what string) (latency, error) {
	lat, _, err := w.p.queryRounds(ctx, what, w.p.o.rounds, func(q va.SearchQuery) (uint64, error) {
		var res struct {
			Total uint64 `json:"total"`
		}
		err := w.auditor.call(ctx, http.MethodGet, searchPath(q), nil, http.StatusOK, &res)
		return res.Total, err
	})
	return lat, err
}

// pageRounds runs the query set through the search page as the auditor,
// signed in as a browser is, and returns its latency and the largest page.
func (w *writeRun) pageRounds(ctx context.Context) (latency, int, error) {
	var largest atomic.Int64
	lat, _, err := w.p.queryRounds(ctx, "write: search page, idle", w.p.o.rounds, func(q va.SearchQuery) (uint64, error) {
		n, err := w.auditorPages.page(ctx, pagePath(q))
		if int64(n) > largest.Load() {
			largest.Store(int64(n))
		}
		return 0, err
	})
	return lat, int(largest.Load()), err
}

// pagePath is the search page's address for q: the page reads the API's
// parameters.
func pagePath(q va.SearchQuery) string {
	return "/search" + strings.TrimPrefix(searchPath(q), "/api/v1/search")
}

// indexed waits until the server's search finds every one of the want
// records the writer created, for at most a minute, and returns how many
// it found. Fewer is an error: acknowledged creates went missing.
func (w *writeRun) indexed(ctx context.Context, want int) (int, error) {
	q := va.SearchQuery{Visitor: writeUser, Sort: va.SortVisitStartDesc, Page: 1, Size: 1}
	var res struct {
		Total int `json:"total"`
	}
	for deadline := time.Now().Add(time.Minute); ; {
		if err := w.auditor.call(ctx, http.MethodGet, searchPath(q), nil, http.StatusOK, &res); err != nil {
			return 0, err
		}
		if res.Total == want {
			return res.Total, nil
		}
		if time.Now().After(deadline) {
			return res.Total, fmt.Errorf("the server's search finds %d records of %s, want the %d it acknowledged", res.Total, writeUser, want)
		}
		select {
		case <-ctx.Done():
			return res.Total, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// latencyOf summarises samples that are all of one kind.
func latencyOf(samples []time.Duration) latency {
	l := summarize(samples, make([]string, len(samples)), nil)
	l.ByKind = nil
	return l
}
