package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// DefaultTimeout is how long RunCommand lets a command run when given no
// timeout.
const DefaultTimeout = 60 * time.Second

// MaxOutput is the most bytes of combined output RunCommand keeps.
const MaxOutput = 64 << 10

// outputGrace is how long RunCommand waits for the output pipe to close
// after the command's process group is killed; a process that left the
// group may hold it open.
const outputGrace = 100 * time.Millisecond

// RunCommand runs argv in dir (a checkout), with the caller's environment
// and no input, for at most timeout (DefaultTimeout if timeout <= 0). It
// returns ok true when the command exits 0, false when it exits otherwise,
// and the first MaxOutput bytes of its combined stdout and stderr. The
// command runs in its own process group, which is killed when it times out
// and once it exits, so that neither a hung command nor the children it
// left behind outlive the call. It returns an error when the command cannot
// start, times out (the error says so) or ctx ends. A relative argv[0]
// with a slash is resolved in dir; a bare name is looked up in PATH.
func RunCommand(ctx context.Context, dir string, argv []string, timeout time.Duration) (ok bool, output string, err error) {
	if len(argv) == 0 || argv[0] == "" {
		return false, "", errors.New("run command: empty argv")
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r, w, err := os.Pipe()
	if err != nil {
		return false, "", fmt.Errorf("run %s: %w", argv[0], err)
	}
	defer r.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout = w
	cmd.Stderr = w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return false, "", fmt.Errorf("run %s: %w", argv[0], err)
	}
	pgid := cmd.Process.Pid

	out := make(chan []byte, 1)
	go func() {
		var buf capped
		_, _ = io.Copy(&buf, r) // ends at EOF, or when r is closed below
		out <- buf.b
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var waitErr error
	killed := false
	select {
	case waitErr = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
		killed = true
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL) // children left behind; ESRCH when none
	var b []byte
	select {
	case b = <-out:
	case <-time.After(outputGrace):
		r.Close()
		b = <-out
	}
	output = string(b)

	switch {
	case killed && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return false, output, fmt.Errorf("run %s: timed out after %v", argv[0], timeout)
	case killed:
		return false, output, fmt.Errorf("run %s: %w", argv[0], ctx.Err())
	case waitErr == nil:
		return true, output, nil
	}
	var exit *exec.ExitError
	if errors.As(waitErr, &exit) {
		return false, output, nil
	}
	return false, output, fmt.Errorf("run %s: %w", argv[0], waitErr)
}

// capped is a writer that keeps the first MaxOutput bytes and discards the
// rest, so that a chatty command never blocks on a full pipe.
type capped struct{ b []byte }

func (c *capped) Write(p []byte) (int, error) {
	if room := MaxOutput - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(len(p), room)]...)
	}
	return len(p), nil
}
