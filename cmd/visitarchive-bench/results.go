package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// phaseResult is what one phase measured. The child fills it; the parent
// adds what only it can see (peak RSS and CPU time from rusage, MinIO's
// memory and disk).
type phaseResult struct {
	Phase     string `json:"phase"`
	Records   int    `json:"records"`
	Customers int    `json:"customers"`

	// Bleve alone: indexing of every record, batches of index.MaxBatch. Ours: the
	// whole Archive.Import.
	IndexSeconds  float64 `json:"index_seconds"`
	IndexRate     float64 `json:"index_records_per_second"`
	DecodeSeconds float64 `json:"decode_seconds,omitempty"` // Bleve alone: JSON decoding, not counted above

	Search  latency  `json:"search"`
	Totals  []uint64 `json:"totals"` // hits of each query, in query-set order
	Queries int      `json:"queries"`

	ReindexSeconds float64 `json:"reindex_seconds,omitempty"`
	ReindexRate    float64 `json:"reindex_records_per_second,omitempty"`

	// The backup step (backup.go): the first, whole backup pass to a
	// directory, and the restore of it into an empty store.
	BackupSeconds  float64 `json:"backup_seconds,omitempty"`
	BackupObjects  int     `json:"backup_objects,omitempty"`
	BackupBytes    int64   `json:"backup_bytes,omitempty"`
	RestoreSeconds float64 `json:"restore_seconds,omitempty"`

	// StepPeakRSS is the peak resident set of each step, sampled every
	// 25 ms, in bytes; ProcessPeakRSS is the ru_maxrss of the child
	// process of each step (see phaseSteps), and PeakRSS the largest.
	StepPeakRSS    map[string]int64 `json:"step_peak_rss_bytes,omitempty"`
	StepPeakAnon   map[string]int64 `json:"step_peak_anon_bytes,omitempty"` // of it, anonymous memory
	PeakAnon       int64            `json:"peak_anon_bytes"`                // sampled, whole phase
	ProcessPeakRSS map[string]int64 `json:"process_peak_rss_bytes,omitempty"`
	PeakRSS        int64            `json:"peak_rss_bytes"`
	UserCPU        float64          `json:"user_cpu_seconds"`
	SysCPU         float64          `json:"sys_cpu_seconds"`
	WallSeconds    float64          `json:"wall_seconds"`

	// Layers is where the wall time of each step went, by layer call
	// (ours only): see layerTimes.
	Layers      map[string]map[string]layerStat `json:"layers,omitempty"`
	StepSeconds map[string]float64              `json:"step_seconds"`
	StepCPU     map[string]float64              `json:"step_cpu_seconds"` // user + system
	// StepServerCPU is the MinIO server's CPU time in each step.
	StepServerCPU map[string]float64 `json:"step_server_cpu_seconds,omitempty"`

	// OtherCPU is the CPU time other processes used during the phase.
	OtherCPU float64 `json:"other_processes_cpu_seconds"`

	// Ablations (Bleve alone): the query set with parts of the request
	// left out, to show what each costs.
	Ablations map[string]latency `json:"ablations,omitempty"`

	StoreBytes int64 `json:"store_bytes,omitempty"`
	IndexBytes int64 `json:"index_bytes"`

	MinIOPeakRSS int64   `json:"minio_peak_rss_bytes,omitempty"`
	MinIOCPU     float64 `json:"minio_cpu_seconds,omitempty"`

	// Writes (ours) is the write step: records created through the API
	// of a running server (see writeResult). WriteFloor (Bleve alone) is
	// its floor: the same records fed to Bleve alone in small batches.
	// WriteSearch (Bleve alone) is the floor of search while writing.
	Writes      *writeResult `json:"writes,omitempty"`
	WriteFloor  []floorWrite `json:"write_floor,omitempty"`
	WriteSearch *floorSearch `json:"write_search,omitempty"`
}

// latency summarises the timed runs of the query set, in milliseconds.
type latency struct {
	N      int                  `json:"n"`
	P50    float64              `json:"p50_ms"`
	P95    float64              `json:"p95_ms"`
	P99    float64              `json:"p99_ms"`
	Mean   float64              `json:"mean_ms"`
	Max    float64              `json:"max_ms"`
	ByKind map[string]kindStats `json:"by_kind"`
}

type kindStats struct {
	N        int     `json:"n"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	Max      float64 `json:"max_ms"`
	MeanHits float64 `json:"mean_hits"`
}

// summarize computes the latency figures of samples, whose kinds are in
// kinds (same order) and whose queries had totals hits.
func summarize(samples []time.Duration, kinds []string, hits map[string][]uint64) latency {
	l := latency{N: len(samples), ByKind: map[string]kindStats{}}
	if len(samples) == 0 {
		return l
	}
	ms := make([]float64, len(samples))
	byKind := map[string][]float64{}
	var sum float64
	for i, d := range samples {
		ms[i] = float64(d) / float64(time.Millisecond)
		sum += ms[i]
		byKind[kinds[i]] = append(byKind[kinds[i]], ms[i])
	}
	slices.Sort(ms)
	l.P50, l.P95, l.P99 = percentile(ms, 50), percentile(ms, 95), percentile(ms, 99)
	l.Mean, l.Max = sum/float64(len(ms)), ms[len(ms)-1]
	for k, v := range byKind {
		slices.Sort(v)
		var h float64
		for _, t := range hits[k] {
			h += float64(t)
		}
		l.ByKind[k] = kindStats{N: len(v), P50: percentile(v, 50), P95: percentile(v, 95), Max: v[len(v)-1],
			MeanHits: h / float64(max(len(hits[k]), 1))}
	}
	return l
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []float64, p float64) float64 {
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// dirSize is the total size of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// rssSampler samples the resident set every 25 ms and keeps the peaks
// since the last take: of all of it, and of its anonymous part alone
// (the heap and stacks; the rest is mostly Bleve's memory-mapped segment
// files, which the kernel can drop and read again). Resetting the kernel's
// high-water mark through /proc/self/clear_refs would be exact, but it also
// resets the ru_maxrss the parent reads for the process.
type rssSampler struct {
	peak, peakAnon atomic.Int64
	allAnon        atomic.Int64 // peak of the anonymous part over the phase
	page           int64
	statm          string // the statm file of the process sampled
}

func newRSSSampler(ctx context.Context) *rssSampler { return newProcessSampler(ctx, "self") }

// newProcessSampler samples process pid ("self": this one) until ctx
// ends.
func newProcessSampler(ctx context.Context, pid string) *rssSampler {
	s := &rssSampler{page: int64(os.Getpagesize()), statm: "/proc/" + pid + "/statm"}
	go func() {
		t := time.NewTicker(25 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

func (s *rssSampler) sample() {
	rss, anon, ok := s.current()
	if !ok {
		return
	}
	raise(&s.peak, rss)
	raise(&s.peakAnon, anon)
	raise(&s.allAnon, anon)
}

// current reads the resident set now, and its anonymous part, in bytes.
func (s *rssSampler) current() (rss, anon int64, ok bool) {
	b, err := os.ReadFile(s.statm)
	if err != nil {
		return 0, 0, false
	}
	f := strings.Fields(string(b)) // size resident shared ...
	if len(f) < 3 {
		return 0, 0, false
	}
	resident, _ := strconv.ParseInt(f[1], 10, 64)
	shared, _ := strconv.ParseInt(f[2], 10, 64)
	return resident * s.page, (resident - shared) * s.page, true
}

// raise sets v to x if x is larger.
func raise(v *atomic.Int64, x int64) {
	for {
		old := v.Load()
		if x <= old || v.CompareAndSwap(old, x) {
			return
		}
	}
}

// take returns the peaks since the last take and starts afresh.
func (s *rssSampler) take() (rss, anon int64) {
	s.sample()
	return s.peak.Swap(0), s.peakAnon.Swap(0)
}

// procStatusKB reads a "Name:   123 kB" line of a /proc status file.
func procStatusKB(path, name string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
			v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v
		}
	}
	return 0
}

func mb(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare)
	return keys
}
