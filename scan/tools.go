package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// toolError is a run of a command-line tool that failed: it exited with
// an error, ran out of time, or wrote more than it may.
type toolError struct {
	Tool    string
	Timeout time.Duration // the limit it ran into; 0 if it did not time out
	Stderr  string        // the start of what it said
	Err     error
}

func (e *toolError) Error() string {
	if e.Timeout > 0 {
		return fmt.Sprintf("%s: ran longer than %v", e.Tool, e.Timeout)
	}
	return fmt.Sprintf("%s: %v: %s", e.Tool, e.Err, strings.TrimSpace(e.Stderr))
}

func (e *toolError) Unwrap() error { return e.Err }

// errMissingTool wraps the error of a tool that is not installed.
var errMissingTool = errors.New("not installed")

// runner runs the tools of poppler-utils under limits: a time limit per
// run, a cap on what a run may write, and, where prlimit(1) is
// installed, a cap on its address space. The tools read files that come
// from outside (a scanner, an upload); a hostile PDF can make a tool
// stall or allocate without end, and the limits end it.
type runner struct {
	timeout time.Duration
	memory  int64 // bytes of address space; 0: no limit
	prlimit string
}

func newRunner(timeout time.Duration, memory int64) *runner {
	r := &runner{timeout: timeout, memory: memory}
	if memory > 0 {
		r.prlimit, _ = exec.LookPath("prlimit")
	}
	return r
}

// run runs tool with args and returns what it wrote to its standard
// output, at most maxOut bytes. A tool that is not installed is
// errMissingTool; one that fails, runs out of time or writes too much,
// a *toolError; when ctx ends, ctx.Err().
func (r *runner) run(ctx context.Context, maxOut int, tool string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(tool)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tool, errMissingTool)
	}
	tctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if r.prlimit != "" {
		args = append([]string{"--as=" + strconv.FormatInt(r.memory, 10), "--", path}, args...)
		path = r.prlimit
	}
	cmd := exec.CommandContext(tctx, path, args...)
	cmd.WaitDelay = 2 * time.Second
	stdout := &capped{max: maxOut}
	stderr := &capped{max: 2048, drop: true}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case tctx.Err() != nil:
		return nil, &toolError{Tool: tool, Timeout: r.timeout, Err: tctx.Err()}
	case stdout.over:
		return nil, &toolError{Tool: tool, Err: fmt.Errorf("wrote more than %d bytes", maxOut)}
	case err != nil:
		return nil, &toolError{Tool: tool, Stderr: stderr.buf.String(), Err: err}
	}
	return stdout.buf.Bytes(), nil
}

// capped is a buffer that takes at most max bytes. Past that it fails
// the write (which ends the tool), or, with drop, keeps only the start.
type capped struct {
	buf  bytes.Buffer
	max  int
	drop bool
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); len(p) > room {
		c.buf.Write(p[:max(room, 0)])
		if c.drop {
			return len(p), nil
		}
		c.over = true
		return 0, errors.New("output over its limit")
	}
	return c.buf.Write(p)
}
