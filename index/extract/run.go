package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A failure says why one process gave no text, in words a person can read.
type failure struct {
	what   string // "the PDF's text layer", "pdftotext", "OCR of page 3"
	kind   failureKind
	detail string // for failed: the tool's last line of error output, or how it ended
}

type failureKind int

const (
	failed failureKind = iota
	timedOut
	outOfMemory
)

func (f *failure) Error() string { return f.what + " failed: " + f.detail }

// reason is the failure in a sentence, with the limit it ran into.
func (f *failure) reason(l Limits) string {
	switch f.kind {
	case timedOut:
		return fmt.Sprintf("%s did not finish within %s", f.what, seconds(l.Timeout))
	case outOfMemory:
		return fmt.Sprintf("%s needed more than %s of memory", f.what, mebibytes(int64(l.MemoryBytes)))
	}
	return f.Error()
}

func seconds(d time.Duration) string {
	if d < time.Second {
		return d.String()
	}
	return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
}

// mebibytes says a size for a person: 1 GiB, 200 MiB, 1000 bytes.
func mebibytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", (n+1<<19)>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// A proc is one run of the child or of a tool.
type proc struct {
	what string   // names the process in a reason
	argv []string // the program and its arguments
	env  []string // added to the environment

	// The input: a spooled file given to the child as its standard input
	// (the child limits its own address space before it reads), or a
	// reader copied into a pipe once the process's limit is set, so that
	// a tool has read nothing of a hostile file before it is limited.
	file  *os.File
	input io.Reader

	stdout io.Writer             // where standard output goes, or
	read   func(io.Reader) error // a function that reads it as it comes
}

// waitDelay is how long Wait waits for the pipes of a killed process.
const waitDelay = 5 * time.Second

// run runs p in a process group of its own under the time limit, and,
// for a tool (p.input), under the address-space limit set with prlimit
// right after it started and before it gets any input. It returns nil, a
// *failure, or the error of ctx when ctx ended first.
func (x *Extractor) run(ctx context.Context, p proc) error {
	lim := x.limits()
	tctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	cmd, stderr := p.command(tctx)
	var stdin io.WriteCloser
	var stdout io.ReadCloser
	var err error
	if p.input != nil {
		if stdin, err = cmd.StdinPipe(); err != nil {
			return fmt.Errorf("extract: %w", err)
		}
	}
	if p.read != nil {
		if stdout, err = cmd.StdoutPipe(); err != nil {
			return fmt.Errorf("extract: %w", err)
		}
	}
	if err := cmd.Start(); err != nil {
		return &failure{what: p.what, detail: err.Error()}
	}
	if p.input != nil {
		m := lim.MemoryBytes
		if err := unix.Prlimit(cmd.Process.Pid, unix.RLIMIT_AS, &unix.Rlimit{Cur: m, Max: m}, nil); err != nil {
			cmd.Cancel()
			cmd.Wait()
			return fmt.Errorf("extract: limit the memory of %s: %w", p.argv[0], err)
		}
	}
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		if stdin != nil {
			io.Copy(stdin, p.input) // a process that stops reading ends this with EPIPE
			stdin.Close()
		}
	}()
	var readErr error
	if stdout != nil {
		readErr = p.read(stdout)
		io.Copy(io.Discard, stdout)
	}
	err = cmd.Wait()
	<-fed
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(tctx.Err(), context.DeadlineExceeded):
		return &failure{what: p.what, kind: timedOut}
	case err != nil:
		return exitFailure(p.what, err, stderr.String())
	case readErr != nil:
		return &failure{what: p.what, detail: readErr.Error()}
	}
	return nil
}

// command is the command of p, killed with its process group when ctx
// ends, and what it writes to standard error.
func (p proc) command(ctx context.Context) (*exec.Cmd, *headTail) {
	cmd := exec.CommandContext(ctx, p.argv[0], p.argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay
	cmd.Env = append(os.Environ(), p.env...)
	stderr := &headTail{max: 2048}
	cmd.Stderr = stderr
	cmd.Stdout = p.stdout
	if p.file != nil {
		cmd.Stdin = p.file
	}
	return cmd, stderr
}

// exitFailure explains why a process ended with an error. Under an
// address-space limit a process ends in many ways when it runs out: the
// Go runtime says "fatal error: out of memory", poppler "Out of memory",
// Leptonica "pixdata_malloc fail", C++ "std::bad_alloc", and some just
// crash. The message is the only sign, so it is read here.
func exitFailure(what string, err error, stderr string) *failure {
	low := strings.ToLower(stderr)
	for _, s := range []string{"out of memory", "cannot allocate", "bad_alloc", "malloc fail", "memory exhausted", "stack exceeds"} {
		if strings.Contains(low, s) {
			return &failure{what: what, kind: outOfMemory}
		}
	}
	detail := lastLine(stderr)
	if i := strings.Index(stderr, "fatal error: "); i >= 0 { // the Go runtime
		detail = lastLine(stderr[:i+strings.IndexByte(stderr[i:]+"\n", '\n')])
	}
	if detail == "" {
		detail = err.Error()
	}
	return &failure{what: what, detail: detail}
}

// lastLine returns the last line of s that says something: tesseract
// ends every failure with "Error during processing.", after the line
// that says what went wrong.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && l != "Error during processing." {
			return l
		}
	}
	return ""
}

// headTail keeps the first and the last max bytes written to it: a Go
// program says why it died first, a C program last.
type headTail struct {
	max        int
	head, tail []byte
	cut        bool // bytes were dropped between head and tail
}

func (h *headTail) Write(p []byte) (int, error) {
	n := len(p)
	if room := h.max - len(h.head); room > 0 {
		k := min(room, len(p))
		h.head = append(h.head, p[:k]...)
		p = p[k:]
	}
	h.tail = append(h.tail, p...)
	if over := len(h.tail) - h.max; over > 0 {
		h.tail = append(h.tail[:0], h.tail[over:]...)
		h.cut = true
	}
	return n, nil
}

func (h *headTail) String() string {
	if h.cut {
		return string(h.head) + "\n…\n" + string(h.tail)
	}
	return string(h.head) + string(h.tail)
}

// capped keeps the first max bytes written to it and drops the rest, so
// that a process that writes without end fills no memory.
type capped struct {
	max  int
	b    []byte
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	room := c.max - len(c.b)
	if len(p) > room {
		c.over = true
		c.b = append(c.b, p[:max(room, 0)]...)
		return len(p), nil
	}
	c.b = append(c.b, p...)
	return len(p), nil
}
