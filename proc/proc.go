// Package proc runs commands that Tandem does not trust to end on their
// own: a check's command in a checkout, a migration's fix in a clone. Each
// runs in its own process group, bounded in time and in output.
package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// DefaultTimeout is how long Run lets a command run when given no timeout.
const DefaultTimeout = 60 * time.Second

// MaxOutput is the most bytes of combined output Run keeps.
const MaxOutput = 64 << 10

// outputGrace is how long Run waits for the output pipe to close after the
// command's process group is killed; a process that left the group may
// hold it open.
const outputGrace = 100 * time.Millisecond

// Run runs argv in dir, with no input, for at most timeout (DefaultTimeout
// if timeout <= 0). The command gets exactly env, plus the caller's PATH
// and a HOME and TMPDIR of its own (a fresh folder, removed afterwards)
// when env sets none: never the caller's other variables, where a
// server's secrets are, nor the caller's home, where credentials are
// (.netrc, .gitconfig, .ssh). It returns ok true when the command exits 0, false when it exits
// otherwise, and the first MaxOutput bytes of its combined stdout and
// stderr. The command runs in its own process group, which is killed when
// it times out and once it exits, so that neither a hung command nor the
// children it left behind outlive the call. It returns an error when the
// command cannot start, times out (the error says so) or ctx ends. A
// relative argv[0] with a slash is resolved in dir; a bare name is looked
// up in the caller's PATH.
func Run(ctx context.Context, dir string, argv []string, env []string, timeout time.Duration) (ok bool, output string, err error) {
	if len(argv) == 0 || argv[0] == "" {
		return false, "", errors.New("run command: empty argv")
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	home, err := os.MkdirTemp("", "tandem-home-")
	if err != nil {
		return false, "", fmt.Errorf("run %s: %w", argv[0], err)
	}
	defer os.RemoveAll(home)
	r, w, err := os.Pipe()
	if err != nil {
		return false, "", fmt.Errorf("run %s: %w", argv[0], err)
	}
	defer r.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = environ(env, home)
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

// environ returns the environment a command runs with: env, with the
// caller's PATH (without which most programs cannot find their tools) and
// home as HOME and TMPDIR when env lacks them.
func environ(env []string, home string) []string {
	env = slices.Clip(env)
	defaults := [][2]string{{"PATH", os.Getenv("PATH")}, {"HOME", home}, {"TMPDIR", home}}
	for _, kv := range defaults {
		set := slices.ContainsFunc(env, func(e string) bool { return strings.HasPrefix(e, kv[0]+"=") })
		if !set && kv[1] != "" {
			env = append(env, kv[0]+"="+kv[1])
		}
	}
	return env
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
