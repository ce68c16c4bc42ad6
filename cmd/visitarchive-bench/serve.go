package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildVisitarchive builds the visitarchive command of this module into
// dir, as `make build` does, so that the write step serves with the code
// the harness was built from.
func buildVisitarchive(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "visitarchive")
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/visitarchive/visitarchive/cmd/visitarchive")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build visitarchive for the write step (or pass -visitarchive): %w\n%s", err, out)
	}
	logf("[gen] built %s in %s", bin, time.Since(start).Round(time.Millisecond))
	return bin, nil
}

// serveProcess is a `visitarchive serve` that the write step started on
// the data its phase left: the product's own server, in a process of its
// own, so that its CPU time and memory are apart from the clients'.
type serveProcess struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port
	logPath string
	exited  chan struct{}
	stopped bool
	rss     *rssSampler // sampled every 25 ms, from this process
	done    func()      // stops the sampling

	peakRSS int64   // after stop: the server's ru_maxrss, bytes
	cpu     float64 // after stop: user + system seconds
}

// startServe runs bin serve with args (the storage flags) and env added
// to this process's environment without its VISITARCHIVE_ variables, so
// that the server runs on the defaults, as the harness's own steps do. It
// logs to logPath and waits until the server is ready.
func startServe(ctx context.Context, bin string, args, env []string, logPath string) (*serveProcess, error) {
	ports, err := freePorts(1)
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	s := &serveProcess{base: "http://" + addr, logPath: logPath, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"serve", "--addr", addr}, args...)...)
	s.cmd.Env = append(withoutProductEnv(os.Environ()), env...)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	// Should this process die without stopping it, the server must not
	// live on holding the index.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	sctx, done := context.WithCancel(ctx)
	s.rss, s.done = newProcessSampler(sctx, strconv.Itoa(s.cmd.Process.Pid)), done
	if err := s.waitReady(ctx); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// withoutProductEnv drops the product's own settings from env.
func withoutProductEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "VISITARCHIVE_") {
			out = append(out, kv)
		}
	}
	return out
}

// waitReady polls /readyz. Opening a large archive (the catalog, the
// index catching up with the journal) takes a while.
func (s *serveProcess) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("visitarchive serve exited at start: %s", s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("visitarchive serve not ready: %w; %s", ctx.Err(), s.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// logTail is the end of the server's log, for error messages.
func (s *serveProcess) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "its log ends:\n" + string(b)
}

// pid is the server's process id.
func (s *serveProcess) pid() int { return s.cmd.Process.Pid }

// cpuSeconds is the user and system CPU time the server has used so far.
func (s *serveProcess) cpuSeconds() float64 { return processCPU(s.pid()) }

// alive fails when the server has exited.
func (s *serveProcess) alive() error {
	select {
	case <-s.exited:
		return fmt.Errorf("visitarchive serve exited: %s", s.logTail())
	default:
		return nil
	}
}

// stop ends the server as an operator would (SIGTERM: it finishes the
// requests in flight, checkpoints the journal and closes the index),
// and records its usage. It may be called more than once.
func (s *serveProcess) stop() error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	defer s.done()
	s.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case <-s.exited:
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
		err = errors.New("visitarchive serve did not stop within 60 s of SIGINT; killed")
	}
	if ps := s.cmd.ProcessState; ps != nil {
		peak, user, sys := usage(ps)
		s.peakRSS, s.cpu = peak, user+sys
		if err == nil && !ps.Success() {
			err = fmt.Errorf("visitarchive serve: %s; %s", ps, s.logTail())
		}
	}
	return err
}

// A process has settled once it uses at most settleIdle of CPU time in a
// settleWindow; settle waits at most settleMax for that.
const (
	settleWindow = time.Second
	settleIdle   = 0.03 // seconds: 3% of a core
	settleMax    = 2 * time.Minute
)

// settle waits until cpu, the CPU seconds a process has used so far, stops
// growing: until the work that writes left behind (Bleve's merges and
// persisting, tables built for search) is done, so that it counts towards
// the writes that caused it and not towards what is measured next. It
// returns how long it waited and whether the process did settle.
func settle(ctx context.Context, cpu func() float64) (time.Duration, bool, error) {
	start := time.Now()
	for time.Since(start) < settleMax {
		c0 := cpu()
		select {
		case <-ctx.Done():
			return time.Since(start), false, ctx.Err()
		case <-time.After(settleWindow):
		}
		if cpu()-c0 <= settleIdle {
			return time.Since(start), true, nil
		}
	}
	return time.Since(start), false, nil
}

// indexApplies reads from the server's /metrics how many updates of the
// index it has made and the records they held; 0, 0 from a server that
// does not export them.
func (s *serveProcess) indexApplies(ctx context.Context) (applies, docs float64) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		v, err := strconv.ParseFloat(value, 64)
		switch {
		case !ok || err != nil:
		case name == "visitarchive_index_apply_documents_count":
			applies = v
		case name == "visitarchive_index_apply_documents_sum":
			docs = v
		}
	}
	return applies, docs
}
