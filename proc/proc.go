// Package proc runs commands that Tandem does not trust: a check's command
// in a checkout, a migration's fix in a clone. Each runs in a sandbox of
// its own (see Runner), bounded in time and in output.
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

// Runner runs commands that Tandem does not trust. The zero Runner runs
// each command in a sandbox made with bubblewrap (bwrap), and refuses to
// run any, with an error wrapping ErrNoSandbox, where bwrap is missing or
// cannot create namespaces. Its methods are safe for concurrent use.
type Runner struct {
	// Unsandboxed runs commands as plain processes of the caller: they can
	// read whatever the caller can (its files, and through /proc its
	// environment and command line), and a child that leaves the command's
	// process group can outlive the call. It is meant for hosts without
	// bubblewrap or user namespaces whose commands are trusted.
	Unsandboxed bool
}

// Run runs argv in dir, with no input, for at most timeout (DefaultTimeout
// if timeout <= 0). The command gets exactly env, plus the caller's PATH
// and a HOME and TMPDIR of its own (a folder removed afterwards) when env
// sets none: never the caller's other variables, where a server's secrets
// are, nor the caller's home, where credentials are (.netrc, .gitconfig,
// .ssh). It returns ok true when the command exits 0,
// false when it exits otherwise, and the first MaxOutput bytes of its
// combined stdout and stderr. A relative argv[0] with a slash is resolved
// in dir; a bare name is looked up in the caller's PATH, among the folders
// the command sees.
//
// In the sandbox (see sandboxArgs), the command has its own user, PID,
// IPC, UTS and mount namespaces and no capabilities: it sees its own
// processes alone in /proc, the system's programs and libraries
// read-only, the few files of /etc that programs need, dir as the only
// writable folder of the caller's, and HOME and TMPDIR in a /tmp of its
// own. It shares the caller's network. When the command exits or is
// killed, every process it started is killed with it, whatever session or
// process group it moved to, before Run returns.
//
// Run returns an error when the command cannot start (the error says
// why), times out (the error says so) or ctx ends; and one wrapping
// ErrNoSandbox when no sandbox can be made.
func (r Runner) Run(ctx context.Context, dir string, argv []string, env []string, timeout time.Duration) (ok bool, output string, err error) {
	if len(argv) == 0 || argv[0] == "" {
		return false, "", errors.New("run command: empty argv")
	}
	if dir == "" {
		return false, "", fmt.Errorf("run %s: no folder to run in", argv[0])
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	j, err := r.job(dir, argv, env)
	if err != nil {
		return false, "", fmt.Errorf("run %s: %w", argv[0], err)
	}
	defer j.cleanup()
	rd, err := j.start()
	if err != nil {
		return false, "", fmt.Errorf("run %s: %w", argv[0], err)
	}
	defer rd.Close()
	return r.outcome(ctx, argv[0], timeout, j.wait(ctx, rd))
}

// job returns the job that runs argv: in a sandbox unless r is
// Unsandboxed.
func (r Runner) job(dir string, argv, env []string) (*job, error) {
	if r.Unsandboxed {
		return plainJob(dir, argv, env)
	}
	return sandboxJob(dir, argv, env)
}

// ending is how a job's command ended.
type ending struct {
	waitErr error  // what waiting for the command returned
	killed  bool   // killed because ctx ended
	ran     bool   // the command itself ran (see job.ended)
	output  string // the first MaxOutput bytes of its output
}

// outcome returns what Run returns for the command name, run with
// timeout, that ended as x.
func (r Runner) outcome(ctx context.Context, name string, timeout time.Duration, x ending) (ok bool, output string, err error) {
	output = x.output
	switch {
	case x.killed && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return false, output, fmt.Errorf("run %s: timed out after %v", name, timeout)
	case x.killed:
		return false, output, fmt.Errorf("run %s: %w", name, ctx.Err())
	case !x.ran:
		// The sandbox did not get as far as starting the command: say why,
		// and whether any sandbox can be made here at all.
		if err := r.Check(ctx); err != nil {
			return false, output, fmt.Errorf("run %s: %w", name, err)
		}
		return false, output, fmt.Errorf("run %s: cannot start: %s", name, strings.TrimSpace(output))
	case x.waitErr == nil:
		return true, output, nil
	}
	var exit *exec.ExitError
	if errors.As(x.waitErr, &exit) {
		return false, output, nil
	}
	return false, output, fmt.Errorf("run %s: %w", name, x.waitErr)
}

// job is a command ready to start, and what Run does around it.
type job struct {
	cmd *exec.Cmd
	// started is called once the command started (or failed to), to close
	// the caller's copies of what the command was given.
	started func()
	// ended is called once the command was waited for; it waits until
	// every process of the command is gone, and reports whether the
	// command itself ran (false when a sandbox could not start it).
	ended func() bool
	// cleanup removes what the job made.
	cleanup func()
}

// start starts the job's command in a process group of its own, writing
// its stdout and stderr to a pipe, and returns the pipe's reading end.
func (j *job) start() (*os.File, error) {
	rd, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := j.cmd
	cmd.Stdout = w
	cmd.Stderr = w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	w.Close()
	j.started()
	if err != nil {
		rd.Close()
		return nil, err
	}
	return rd, nil
}

// wait waits for the job's command to exit, killing its process group if
// ctx ends first; then kills what the command left behind, waits until
// every process of it is gone and reads its output from rd. A process
// that left the group may hold the pipe open: its output is cut
// outputGrace after.
func (j *job) wait(ctx context.Context, rd *os.File) ending {
	pgid := j.cmd.Process.Pid
	out := make(chan []byte, 1)
	go func() {
		var buf capped
		_, _ = io.Copy(&buf, rd) // ends at EOF, or when rd is closed below
		out <- buf.b
	}()
	done := make(chan error, 1)
	go func() { done <- j.cmd.Wait() }()

	var x ending
	select {
	case x.waitErr = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
		x.killed = true
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL) // children left behind; ESRCH when none
	x.ran = j.ended()
	var b []byte
	select {
	case b = <-out:
	case <-time.After(outputGrace):
		rd.Close()
		b = <-out
	}
	x.output = string(b)
	return x
}

// plainJob returns a job that runs argv as a process of the caller, with a
// home folder of its own.
func plainJob(dir string, argv, env []string) (*job, error) {
	home, err := os.MkdirTemp("", "tandem-home-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = environ(env, home)
	return &job{
		cmd:     cmd,
		started: func() {},
		ended:   func() bool { return true },
		cleanup: func() { os.RemoveAll(home) },
	}, nil
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
