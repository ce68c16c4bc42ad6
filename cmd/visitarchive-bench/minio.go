package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// minioServer is a MinIO process the harness started for the minio phase,
// on a free loopback port, in a temporary directory, with random
// credentials. (s3test does the same for tests but needs a testing.TB.)
type minioServer struct {
	cmd                      *exec.Cmd
	dir                      string
	endpoint, user, password string
	exited                   chan struct{}
	stopped                  bool

	peakRSS int64   // after stop: the server's ru_maxrss, bytes
	cpu     float64 // after stop: user + system seconds
}

// startMinIO starts a MinIO server with its files in dir, which it
// empties first. stop leaves them: the run removes its files at its end
// (see removePhases).
func startMinIO(ctx context.Context, bin, dir string) (*minioServer, error) {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	m := &minioServer{dir: dir, user: "bench" + randomHex(6), password: randomHex(16), exited: make(chan struct{})}
	ports, err := freePorts(2)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	m.endpoint = fmt.Sprintf("127.0.0.1:%d", ports[0])
	log, err := os.Create(filepath.Join(dir, "minio.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer log.Close()
	m.cmd = exec.Command(bin, "server", m.dataDir(), "--address", m.endpoint,
		"--console-address", fmt.Sprintf("127.0.0.1:%d", ports[1]))
	m.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.user, "MINIO_ROOT_PASSWORD="+m.password,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	m.cmd.Stdout, m.cmd.Stderr = log, log
	if err := m.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { m.cmd.Wait(); close(m.exited) }()
	if err := m.waitReady(ctx); err != nil {
		m.stop()
		return nil, err
	}
	logf("[minio] MinIO ready on %s (data in %s)", m.endpoint, m.dataDir())
	return m, nil
}

func (m *minioServer) dataDir() string { return filepath.Join(m.dir, "data") }

// env hands the server to the phase child.
func (m *minioServer) env() []string {
	return []string{envS3Endpoint + "=" + m.endpoint, envS3AccessKey + "=" + m.user, envS3SecretKey + "=" + m.password,
		envMinIOPID + "=" + strconv.Itoa(m.cmd.Process.Pid)}
}

// processCPU returns the user and system CPU seconds process pid has used
// (Linux /proc), or 0.
func processCPU(pid int) float64 {
	st := readProcStat(pid)
	return st.user + st.sys
}

// procStat is what the harness reads of a process's /proc/PID/stat.
type procStat struct {
	user, sys   float64 // CPU seconds
	majorFaults int64   // page faults that read from the disk
}

// readProcStat reads /proc/PID/stat (Linux), or returns zeros.
func readProcStat(pid int) procStat {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}
	}
	// The command name, in parentheses, may hold spaces: count from after
	// it, where field 3 (the state) is f[0].
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return procStat{}
	}
	majflt, _ := strconv.ParseInt(f[9], 10, 64)
	user, _ := strconv.ParseFloat(f[11], 64)
	sys, _ := strconv.ParseFloat(f[12], 64)
	return procStat{user: user / 100, sys: sys / 100, majorFaults: majflt} // USER_HZ
}

// waitReady polls /minio/health/ready. The S3 backend's Open retries its
// first calls too, but a ready server keeps the import timing clean.
func (m *minioServer) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	url := "http://" + m.endpoint + "/minio/health/ready"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-m.exited:
			log, _ := os.ReadFile(filepath.Join(m.dir, "minio.log"))
			return fmt.Errorf("minio exited at start: %s", log)
		case <-ctx.Done():
			return fmt.Errorf("minio not ready: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop ends the server, gently first, records its usage and removes its
// directory. It may be called more than once.
func (m *minioServer) stop() {
	if m.stopped {
		return
	}
	m.stopped = true
	m.cmd.Process.Signal(os.Interrupt)
	select {
	case <-m.exited:
	case <-time.After(15 * time.Second):
		m.cmd.Process.Kill()
		<-m.exited
	}
	if m.cmd.ProcessState != nil {
		peak, user, sys := usage(m.cmd.ProcessState)
		m.peakRSS, m.cpu = peak, user+sys
	}
}

func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close() // held until all are chosen, so that they differ
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
