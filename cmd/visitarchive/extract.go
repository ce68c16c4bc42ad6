package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/index/extract"
)

// The extraction of attachments' text (serve): a pool of workers that run
// the jobs every upload queues, each file read by `visitarchive
// extract-child` and the poppler and tesseract tools under limits.

// extractFile is the "extract" object of the config file.
type extractFile struct {
	Workers  int    `json:"workers"`   // jobs at once; default 1
	Timeout  string `json:"timeout"`   // a Go duration: each process's time limit; default 60s
	Memory   string `json:"memory"`    // a size: each process's address space; default 1GiB
	MaxPages int    `json:"max_pages"` // pages of a PDF read; default 500
	// TempDir is where a PDF is spooled while it is read, never under
	// the data directory (the spooled file is decrypted content);
	// default os.TempDir(). /dev/shm keeps it off disk.
	TempDir string `json:"temp_dir"`
}

// extractFlags are the flags over the config file's extract object.
type extractFlags struct {
	workers, maxPages       int
	timeout, memory, tmpDir string
}

func (e *extractFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&e.workers, "extract-workers", envInt("VISITARCHIVE_EXTRACT_WORKERS", 0), "extraction jobs that run at once, each reading one file; overrides the config file (VISITARCHIVE_EXTRACT_WORKERS; default 1)")
	fs.StringVar(&e.timeout, "extract-timeout", env("VISITARCHIVE_EXTRACT_TIMEOUT", ""), "time limit of each process of an extraction (the text layer, pdftotext, rendering or OCR of a page), such as 60s; overrides the config file (VISITARCHIVE_EXTRACT_TIMEOUT; default 60s)")
	fs.StringVar(&e.memory, "extract-memory", env("VISITARCHIVE_EXTRACT_MEMORY", ""), "address space each process of an extraction may use, such as 1GiB (OCR needs about 300MiB a page); overrides the config file (VISITARCHIVE_EXTRACT_MEMORY; default 1GiB)")
	fs.IntVar(&e.maxPages, "extract-max-pages", envInt("VISITARCHIVE_EXTRACT_MAX_PAGES", 0), "pages of a PDF whose text is read; overrides the config file (VISITARCHIVE_EXTRACT_MAX_PAGES; default 500)")
	fs.StringVar(&e.tmpDir, "extract-temp-dir", env("VISITARCHIVE_EXTRACT_TEMP_DIR", ""), "where a PDF is spooled, decrypted, while its text is read: never under the data directory; /dev/shm keeps it off disk; overrides the config file (VISITARCHIVE_EXTRACT_TEMP_DIR; default the system's temporary directory)")
}

// extraction is the resolved extraction settings.
type extraction struct {
	workers int
	limits  extract.Limits
	tempDir string
}

// extraction returns the settings of the file's extract object with the
// flags over them.
func (e *extractFile) extraction(f *extractFlags) (extraction, error) {
	if e == nil {
		e = &extractFile{}
	}
	x := extraction{workers: e.Workers, limits: extract.Limits{MaxPages: e.MaxPages}, tempDir: e.TempDir}
	timeout, memory := e.Timeout, e.Memory
	for _, v := range []struct {
		flag string
		dst  *string
	}{{f.timeout, &timeout}, {f.memory, &memory}, {f.tmpDir, &x.tempDir}} {
		if v.flag != "" {
			*v.dst = v.flag
		}
	}
	for _, v := range []struct {
		flag int
		dst  *int
	}{{f.workers, &x.workers}, {f.maxPages, &x.limits.MaxPages}} {
		if v.flag != 0 {
			*v.dst = v.flag
		}
	}
	var err error
	if timeout != "" {
		if x.limits.Timeout, err = positiveDuration(timeout); err != nil {
			return x, fmt.Errorf("extract.timeout (or --extract-timeout): %w", err)
		}
	}
	if memory != "" {
		n, err := size(memory)
		if err != nil {
			return x, fmt.Errorf("extract.memory (or --extract-memory): %w", err)
		}
		x.limits.MemoryBytes = uint64(n)
	}
	if x.workers < 0 || x.limits.MaxPages < 0 {
		return x, fmt.Errorf("extract.workers and extract.max_pages (or --extract-workers, --extract-max-pages) must not be negative")
	}
	return x, nil
}

// checkTempDir refuses a temporary directory in the data directory: what
// extraction spools there is decrypted content.
func checkTempDir(tempDir, dataDir string) error {
	dir := tempDir
	if dir == "" {
		dir = os.TempDir()
	}
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return filepath.Clean(p)
		}
		if r, err := filepath.EvalSymlinks(a); err == nil {
			return r
		}
		return a
	}
	rel, err := filepath.Rel(abs(dataDir), abs(dir))
	if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("the extraction's temporary directory %s is in the data directory %s, where decrypted content must never be written: set extract.temp_dir (or --extract-temp-dir) to another, such as /dev/shm", dir, dataDir)
	}
	return nil
}

// startExtraction starts the pool of extraction workers of c's Archive,
// whose data directory is dataDir, and returns it, and what is off (for
// /readyz) as Tools.Detail says.
func startExtraction(ctx context.Context, c *components, dataDir string, log *slog.Logger) (*va.Extraction, string, error) {
	if err := checkTempDir(c.extraction.tempDir, dataDir); err != nil {
		return nil, "", err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, "", fmt.Errorf("extraction: find this program for its child: %w", err)
	}
	tools := extract.Available()
	x := &extract.Extractor{Exe: exe, Args: []string{extract.ChildCommand}, Limits: c.extraction.limits,
		Tools: &tools, TempDir: c.extraction.tempDir}
	if detail := tools.Detail(); detail != "" {
		log.Warn("text extraction works in part", "detail", detail)
	}
	host, _ := os.Hostname()
	ex := c.archive.NewExtraction(va.ExtractionConfig{Extractor: extract.ForArchive(x), Workers: c.extraction.workers,
		Owner: host + ":" + strconv.Itoa(os.Getpid())})
	ex.Start(ctx)
	log.Info("extracting the text of attachments", "workers", max(c.extraction.workers, 1))
	return ex, tools.Detail(), nil
}
