package s3test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

const startTimeout = 60 * time.Second

// server is a MinIO process and what it takes to reach it.
type server struct {
	cmd                      *exec.Cmd
	dir                      string // data and log; removed by stop
	endpoint, user, password string
	exited                   chan struct{}
}

// start launches MinIO, trying again on other ports when it fails: a free
// port found by listening can be taken by someone else before MinIO binds.
func start() (*server, error) {
	bin, err := findBinary()
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		s, err := launch(bin)
		if err == nil || attempt == 3 {
			return s, err
		}
	}
}

// findBinary looks where the package comment says.
func findBinary() (string, error) {
	if p := os.Getenv("VISITARCHIVE_MINIO"); p != "" {
		return p, nil
	}
	if root, err := moduleRoot(); err == nil {
		p := filepath.Join(root, "bin", "minio")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("minio")
	if err != nil {
		return "", errors.New("no minio binary: run `make bin/minio` or set VISITARCHIVE_MINIO")
	}
	return p, nil
}

// moduleRoot walks up from the working directory (a package directory
// when tests run) to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func launch(bin string) (*server, error) {
	dir, err := os.MkdirTemp("", "visitarchive-minio-*")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, user: "va" + randomHex(6), password: randomHex(16), exited: make(chan struct{})}
	if err := s.run(bin); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.waitReady(); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *server) run(bin string) error {
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	s.endpoint = fmt.Sprintf("127.0.0.1:%d", ports[0])
	log, err := os.Create(filepath.Join(s.dir, "minio.log"))
	if err != nil {
		return err
	}
	defer log.Close() // the child has its own descriptor
	s.cmd = exec.Command(bin, "server", filepath.Join(s.dir, "data"),
		"--address", s.endpoint, "--console-address", fmt.Sprintf("127.0.0.1:%d", ports[1]))
	s.cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+s.user, "MINIO_ROOT_PASSWORD="+s.password,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	s.cmd.Stdout, s.cmd.Stderr = log, log
	s.cmd.SysProcAttr = procAttr()
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	return nil
}

// freePorts asks the kernel for n unused loopback ports.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close() // held until all are chosen, so they differ
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// waitReady polls until MinIO answers S3 requests. Its readiness endpoint
// can answer 200 while S3 calls still fail with "Server not initialized
// yet", so a bucket listing must succeed too.
func (s *server) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	client, err := minio.New(s.endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(s.user, s.password, ""),
		MaxRetries: 1,
	})
	if err != nil {
		return err
	}
	for {
		if s.healthy(ctx) {
			if _, err := client.ListBuckets(ctx); err == nil {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("minio exited at start: %s", s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("minio not ready after %v: %s", startTimeout, s.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *server) healthy(ctx context.Context) bool {
	url := "http://" + s.endpoint + "/minio/health/ready"
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "minio.log"))
	b = bytes.TrimSpace(b)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// stop ends MinIO, gently first, and removes its directory.
func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	os.RemoveAll(s.dir)
}
