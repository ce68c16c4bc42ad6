package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// allPhases are the phases in the order they run; searchPhases those
// that also search, which the report sets side by side.
var (
	allPhases    = []string{"bleve", "disk", "minio", "floor"}
	searchPhases = allPhases[:3]
)

// withMinIO says whether phase ph runs against a MinIO of its own.
func withMinIO(ph string) bool { return ph == "minio" || ph == "floor" }

// run is the parent: it generates the corpus, runs each phase in a child
// process, and writes the report.
func run(ctx context.Context, o *options, stdout io.Writer) error {
	phases, err := parsePhases(o.phases)
	if err != nil {
		return err
	}
	if o.n < 1 || o.rounds < 1 {
		return fmt.Errorf("-n and -rounds must be at least 1")
	}
	writers, err := parseWriters(o.writers)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(phases, withMinIO) {
		if _, err := os.Stat(o.minio); err != nil {
			return fmt.Errorf("no MinIO server at %s (run `make bin/minio`, pass -minio, or leave minio out of -phases): %w", o.minio, err)
		}
	}
	work, cleanup, err := workDir(o)
	if err != nil {
		return err
	}
	defer cleanup()
	if o.cpuprofile != "" {
		if err := os.MkdirAll(o.cpuprofile, 0o755); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	e := env() // now: the commit is that of the code the phases run
	if len(writers) > 0 && o.visitarchive == "" && (slices.Contains(phases, "disk") || slices.Contains(phases, "minio")) {
		if o.visitarchive, err = buildVisitarchive(ctx, work); err != nil {
			return err
		}
	}
	meta, err := generate(o, work)
	if err != nil {
		return err
	}
	if !o.keep {
		defer removePhases(work, phases)
	}
	results := map[string]*phaseResult{}
	for _, ph := range phases {
		res, err := runPhaseChild(ctx, o, work, ph)
		if err != nil {
			return err
		}
		results[ph] = res
	}
	rep := newReport(o, e, meta, results)
	if err := rep.write(o.out); err != nil {
		return err
	}
	rep.printTables(stdout)
	fmt.Fprintf(stdout, "\nreport: %s\n", filepath.Join(o.out, "report.md"))
	return nil
}

// removePhases removes the files of each phase once the run is over, not
// between phases: this machine's file system discards freed blocks as it
// deletes, and the write step run just after the deletion of 200,000
// files created 56 records/s with 1 client instead of 156, and 227/s with
// 8 instead of 322 (docs/performance.md, "Interactive writes").
func removePhases(work string, phases []string) {
	for _, ph := range phases {
		os.RemoveAll(filepath.Join(work, ph))
		os.RemoveAll(minioDir(work, ph))
	}
}

// minioDir is where the MinIO server of phase ph keeps its files.
func minioDir(work, ph string) string { return filepath.Join(work, ph+"-minio") }

func parsePhases(s string) ([]string, error) {
	var out []string
	for _, ph := range allPhases {
		for _, want := range strings.Split(s, ",") {
			if strings.TrimSpace(want) == ph {
				out = append(out, ph)
			}
		}
	}
	for _, want := range strings.Split(s, ",") {
		if !slices.Contains(allPhases, strings.TrimSpace(want)) {
			return nil, fmt.Errorf("-phases: unknown phase %q (want bleve, disk, minio, floor)", want)
		}
	}
	return out, nil
}

// workDir returns the working directory and how to clean it up.
func workDir(o *options) (string, func(), error) {
	if o.work != "" {
		if err := os.MkdirAll(o.work, 0o755); err != nil {
			return "", nil, err
		}
		return o.work, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "visitarchive-bench-*")
	if err != nil {
		return "", nil, err
	}
	if o.keep {
		logf("working directory %s is kept", dir)
		return dir, func() {}, nil
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// generate writes the corpus, the query set and their description.
func generate(o *options, work string) (corpusMeta, error) {
	g := newGenerator(o.seed, o.n)
	qs := g.Queries(o.seed)
	meta := corpusMeta{Seed: o.seed, Records: o.n, Customers: len(g.customers), Queries: len(qs)}
	f, err := os.Create(filepath.Join(work, corpusFile))
	if err != nil {
		return meta, err
	}
	defer f.Close()
	cw := &countingWriter{w: f}
	start := time.Now()
	stop := ticker(o.interval, func() string {
		return fmt.Sprintf("[gen] corpus: %s written, %s elapsed", mb(cw.n.Load()), time.Since(start).Round(time.Second))
	})
	err = g.WriteCorpus(cw)
	stop()
	if err != nil {
		return meta, err
	}
	if err := f.Close(); err != nil {
		return meta, err
	}
	meta.Bytes = cw.n.Load()
	logf("[gen] %d records and %d customers, %s, in %s; %d queries", o.n, meta.Customers, mb(meta.Bytes),
		time.Since(start).Round(time.Millisecond), len(qs))
	if err := writeJSON(filepath.Join(work, queriesFile), qs); err != nil {
		return meta, err
	}
	if err := writeJSON(filepath.Join(o.out, "queries.json"), qs); err != nil {
		return meta, err
	}
	return meta, writeJSON(filepath.Join(work, metaFile), meta)
}

type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// runPhaseChild runs the steps of one phase, each in a child process,
// with MinIO around them for the minio phase, and adds the children's
// rusage to the phase's results.
func runPhaseChild(ctx context.Context, o *options, work, ph string) (*phaseResult, error) {
	var env []string
	var m *minioServer
	if withMinIO(ph) {
		var err error
		if m, err = startMinIO(ctx, o.minio, minioDir(work, ph)); err != nil {
			return nil, err
		}
		defer m.stop()
		env = m.env()
	}
	resultPath := filepath.Join(work, ph+"-result.json")
	for _, stale := range []string{resultPath, filepath.Join(work, ph)} {
		if err := os.RemoveAll(stale); err != nil {
			return nil, err
		}
	}
	logf("[%s] phase starts", ph)
	start, machine0 := time.Now(), machineCPU()
	peaks := map[string]int64{}
	var user, sys float64
	for _, step := range stepsOf(o, ph) {
		ps, err := runStepChild(ctx, o, work, ph, step, resultPath, env)
		if err != nil {
			return nil, err
		}
		var u, s float64
		peaks[step], u, s = usage(ps)
		user, sys = user+u, sys+s
		logf("[%s] %s done, peak RSS %s", ph, step, mb(peaks[step]))
	}
	var res phaseResult
	if err := readJSON(resultPath, &res); err != nil {
		return nil, err
	}
	res.WallSeconds = time.Since(start).Seconds()
	res.ProcessPeakRSS, res.UserCPU, res.SysCPU = peaks, user, sys
	for step, p := range peaks {
		// The budgets of issue 2 are those of the import, search and
		// reindex; the write step's process (its clients and, reaped by
		// it, the server) has its own figures.
		if step != "write" {
			res.PeakRSS = max(res.PeakRSS, p)
		}
	}
	if m != nil {
		res.StoreBytes = dirSize(m.dataDir())
		m.stop()
		res.MinIOPeakRSS, res.MinIOCPU = m.peakRSS, m.cpu
	}
	if machine0 >= 0 {
		// What other processes (other users' builds and tests) took of the
		// machine while the phase ran: the figures are noisier the more.
		res.OtherCPU = max(machineCPU()-machine0-res.UserCPU-res.SysCPU-res.MinIOCPU, 0)
	}
	logf("[%s] phase done in %s, peak RSS %s", ph, time.Since(start).Round(time.Second), mb(res.PeakRSS))
	return &res, nil
}

// runStepChild runs one step of phase ph in a child process.
func runStepChild(ctx context.Context, o *options, work, ph, step, resultPath string, env []string) (*os.ProcessState, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"-phase", ph, "-step", step, "-work", work, "-result", resultPath,
		"-rounds", fmt.Sprint(o.rounds), "-progress", o.interval.String(),
		"-writers", o.writers, "-write-records", fmt.Sprint(o.writeRecords), "-visitarchive", o.visitarchive}
	if o.cpuprofile != "" {
		args = append(args, "-cpuprofile", o.cpuprofile)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("phase %s, step %s: %w", ph, step, err)
	}
	return cmd.ProcessState, nil
}

// usage returns the peak RSS in bytes and the user and system CPU
// seconds of an exited child.
func usage(ps *os.ProcessState) (peak int64, user, sys float64) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, 0
	}
	return int64(ru.Maxrss) * 1024, tvSeconds(ru.Utime), tvSeconds(ru.Stime) // Linux: ru_maxrss is in KiB
}

func tvSeconds(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// machineCPU is the CPU seconds all processes of the machine have used
// (the non-idle times of /proc/stat), or -1 where it cannot be read.
func machineCPU() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return -1
	}
	var busy float64
	for i, v := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseFloat(v, 64)
		busy += n
	}
	return busy / 100 // USER_HZ
}
