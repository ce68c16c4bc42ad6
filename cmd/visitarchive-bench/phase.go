package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/cmd/internal/memlimit"
)

// Files of the working directory that the parent writes for the children.
const (
	corpusFile  = "corpus.jsonl"
	queriesFile = "queries.json"
	metaFile    = "meta.json"
)

// corpusMeta describes the generated corpus.
type corpusMeta struct {
	Seed      uint64 `json:"seed"`
	Records   int    `json:"records"`
	Customers int    `json:"customers"`
	Bytes     int64  `json:"bytes"`
	Queries   int    `json:"queries"`
}

// Environment variables by which the parent hands MinIO to the minio
// phase: the secret stays out of the process list.
const (
	envS3Endpoint  = "VISITARCHIVE_BENCH_S3_ENDPOINT"
	envS3AccessKey = "VISITARCHIVE_BENCH_S3_ACCESS_KEY"
	envS3SecretKey = "VISITARCHIVE_BENCH_S3_SECRET_KEY"
	envMinIOPID    = "VISITARCHIVE_BENCH_MINIO_PID" // for the server's CPU time by step
)

// phaseSteps are the steps of each phase. Each step runs in a child
// process of its own, as the product's commands do: `visitarchive import`
// (Bleve alone: its indexing), a `visitarchive serve` that searches, and
// `visitarchive reindex`, then `visitarchive backup` to a directory and a
// restore of it (backup.go). Together they make one phaseResult, which each
// child reads and adds to. The floor has one step, its indexing and PUTs.
// The write step (write.go, writefloor.go) comes last, since it adds
// records to the index, and only when -writers names some.
var phaseSteps = map[string][]string{
	"bleve": {"index", "search", "write"},
	"disk":  {"import", "search", "reindex", "backup", "write"},
	"minio": {"import", "search", "reindex", "backup", "write"},
	"floor": {"index"},
}

// stepsOf returns the steps of phase ph that o runs.
func stepsOf(o *options, ph string) []string {
	steps := phaseSteps[ph]
	if w, err := parseWriters(o.writers); err == nil && len(w) == 0 {
		steps = slices.DeleteFunc(slices.Clone(steps), func(s string) bool { return s == "write" })
	}
	return steps
}

// runPhase runs one step of one phase in this (child) process and adds
// its results to o.result.
func runPhase(ctx context.Context, o *options) error {
	if !slices.Contains(stepsOf(o, o.phase), o.step) {
		return fmt.Errorf("phase %q has no step %q", o.phase, o.step)
	}
	var meta corpusMeta
	if err := readJSON(filepath.Join(o.work, metaFile), &meta); err != nil {
		return err
	}
	var qs []benchQuery
	if err := readJSON(filepath.Join(o.work, queriesFile), &qs); err != nil {
		return err
	}
	for i := range qs {
		if err := qs[i].Q.Normalize(); err != nil {
			return fmt.Errorf("query %d: %w", i, err)
		}
	}
	res, err := readResult(o, meta, len(qs))
	if err != nil {
		return err
	}
	p := &phase{o: o, meta: meta, queries: qs, dir: filepath.Join(o.work, o.phase), res: res,
		log:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		layers: newLayerTimes(), rss: newRSSSampler(ctx)}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return err
	}
	switch {
	case o.phase == "bleve":
		err = p.bleve(ctx)
	case o.phase == "floor":
		err = p.floor(ctx)
	case o.step == "write":
		// The server opens the store and the index, not this process.
		err = p.write(ctx)
	default:
		memlimit.Set() // as the visitarchive command does
		err = p.archive(ctx)
	}
	if err != nil {
		return fmt.Errorf("%s, step %s: %w", o.phase, o.step, err)
	}
	p.rss.sample()
	p.res.PeakAnon = max(p.res.PeakAnon, p.rss.allAnon.Load())
	return writeJSON(o.result, p.res)
}

// readResult reads what the phase's earlier steps wrote to o.result, or
// starts the phase's results when there is none yet.
func readResult(o *options, meta corpusMeta, queries int) (*phaseResult, error) {
	res := &phaseResult{Phase: o.phase, Records: meta.Records, Customers: meta.Customers, Queries: queries}
	if err := readJSON(o.result, res); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, m := range []*map[string]int64{&res.StepPeakRSS, &res.StepPeakAnon} {
		if *m == nil {
			*m = map[string]int64{}
		}
	}
	for _, m := range []*map[string]float64{&res.StepSeconds, &res.StepCPU, &res.StepServerCPU} {
		if *m == nil {
			*m = map[string]float64{}
		}
	}
	if res.Layers == nil {
		res.Layers = map[string]map[string]layerStat{}
	}
	return res, nil
}

// phase is one child's run.
type phase struct {
	o       *options
	meta    corpusMeta
	queries []benchQuery
	dir     string // this phase's part of the working directory
	res     *phaseResult
	log     *slog.Logger
	layers  *layerTimes
	rss     *rssSampler
}

func (p *phase) logf(format string, args ...any) { logf("["+p.o.phase+"] "+format, args...) }

// step starts a measured step: a fresh high-water mark and, when asked
// for, a CPU profile. The returned func ends it.
func (p *phase) step(name string) (end func()) {
	p.rss.take()
	p.layers.take()
	start, cpu0 := time.Now(), selfCPU()
	server := serverPID()
	server0 := processCPU(server)
	stopProfile := func() {}
	if p.o.cpuprofile != "" {
		f, err := os.Create(filepath.Join(p.o.cpuprofile, p.o.phase+"-"+name+".pprof"))
		if err == nil && pprof.StartCPUProfile(f) == nil {
			stopHeap := heapProfiles(filepath.Join(p.o.cpuprofile, p.o.phase+"-"+name))
			stopProfile = func() { pprof.StopCPUProfile(); f.Close(); stopHeap() }
		} else if f != nil {
			f.Close()
		}
	}
	return func() {
		stopProfile()
		p.res.StepSeconds[name] = time.Since(start).Seconds()
		p.res.StepCPU[name] = selfCPU() - cpu0
		if server > 0 {
			p.res.StepServerCPU[name] = processCPU(server) - server0
		}
		p.res.StepPeakRSS[name], p.res.StepPeakAnon[name] = p.rss.take()
		if l := p.layers.take(); len(l) > 0 {
			p.res.Layers[name] = l
		}
	}
}

// corpusStep is a measured step that reads the corpus, with a count of
// what it has done that is logged every progress interval.
type corpusStep struct {
	f     *os.File // the corpus
	done  atomic.Int64
	start time.Time
	stop  func() // stops the progress lines
	end   func() // ends the step's measurement
}

// startCorpusStep starts step name, with the corpus open and the progress
// of what out of total logged.
func (p *phase) startCorpusStep(name, what string, total int64) (*corpusStep, error) {
	f, err := os.Open(filepath.Join(p.o.work, corpusFile))
	if err != nil {
		return nil, err
	}
	cs := &corpusStep{f: f, end: p.step(name), start: time.Now()}
	cs.stop = ticker(p.o.interval, func() string {
		return "[" + p.o.phase + "] " + rate(what, cs.done.Load(), total, cs.start)
	})
	return cs, nil
}

// close stops the progress lines, closes the corpus and ends the step.
func (cs *corpusStep) close() {
	cs.stop()
	cs.f.Close()
	cs.end()
}

// heapProfiles writes a heap profile to prefix-heap-N.pprof every 15
// seconds until stopped: the heap at the end of a step says little about
// its peak.
func heapProfiles(prefix string) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if f, err := os.Create(fmt.Sprintf("%s-heap-%d.pprof", prefix, n)); err == nil {
				_ = pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
	}()
	return func() { close(done) }
}

// serverPID is the MinIO server's process id, or 0 when there is none.
func serverPID() int {
	pid, _ := strconv.Atoi(os.Getenv(envMinIOPID))
	return pid
}

// selfCPU is the user and system CPU seconds this process has used.
func selfCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
}

// timeQueries runs the query set once untimed, to warm the caches, then
// o.rounds times timed, one query at a time as one user would.
func (p *phase) timeQueries(ctx context.Context, search func(va.SearchQuery) (uint64, error)) error {
	end := p.step("search")
	defer end()
	lat, totals, err := p.queryRounds(ctx, "search", p.o.rounds, search)
	p.res.Search, p.res.Totals = lat, totals
	return err
}

// queryRounds runs the warm-up round and rounds timed rounds of the query
// set through search, and returns the latency and each query's total.
func (p *phase) queryRounds(ctx context.Context, what string, rounds int, search func(va.SearchQuery) (uint64, error)) (latency, []uint64, error) {
	totals := make([]uint64, len(p.queries))
	for i, q := range p.queries {
		t, err := search(q.Q)
		if err != nil {
			return latency{}, nil, fmt.Errorf("query %d (%s) %+v: %w", i, q.Kind, q.Q, err)
		}
		totals[i] = t
	}
	var samples []time.Duration
	var kinds []string
	for r := range rounds {
		start := time.Now()
		for i, q := range p.queries {
			if err := ctx.Err(); err != nil {
				return latency{}, nil, err
			}
			t0 := time.Now()
			if _, err := search(q.Q); err != nil {
				return latency{}, nil, fmt.Errorf("query %d: %w", i, err)
			}
			samples = append(samples, time.Since(t0))
			kinds = append(kinds, q.Kind)
		}
		p.logf("%s: round %d/%d of %d queries in %s", what, r+1, rounds, len(p.queries), time.Since(start).Round(time.Millisecond))
	}
	hits := map[string][]uint64{}
	for i, q := range p.queries {
		hits[q.Kind] = append(hits[q.Kind], totals[i])
	}
	return summarize(samples, kinds, hits), totals, nil
}
