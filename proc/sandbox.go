package proc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNoSandbox is wrapped by the errors of a Runner that cannot make a
// sandbox here: bwrap is missing, or cannot create namespaces.
var ErrNoSandbox = errors.New("no sandbox for commands")

// noSandboxFix is what an error wrapping ErrNoSandbox tells to do.
const noSandboxFix = "install bubblewrap (bwrap; Debian: apt-get install bubblewrap) on a kernel that allows user namespaces, " +
	"or start tandem serve with --unsandboxed-commands to run commands without a sandbox"

// sandboxHome is the HOME and TMPDIR of a sandboxed command: a tmpfs of
// its own, gone with the sandbox.
const sandboxHome = "/tmp"

// reapWait bounds how long Run waits, once a sandbox's first process was
// killed, for it and the processes of its namespace to be gone.
const reapWait = 5 * time.Second

// systemDirs are the folders of programs and libraries a sandboxed
// command sees, read-only. One that is a symbolic link (/bin on a merged
// /usr) is made again as the same link. /usr holds /usr/local, where a Go
// toolchain usually is.
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}

// systemEtc are the files of /etc a sandboxed command sees, read-only:
// what programs need to name users, resolve hosts, check certificates,
// load libraries and find Debian's alternatives. The rest of /etc, where a
// server's own configuration may be, is not there.
var systemEtc = []string{
	"passwd", "group", "nsswitch.conf", "hosts", "host.conf", "resolv.conf", "gai.conf",
	"services", "protocols", "localtime", "ssl", "ca-certificates", "ca-certificates.conf",
	"pki", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "mime.types",
}

// Check returns nil when r can run commands here: always for an
// unsandboxed Runner, and when a sandbox can be made otherwise. Its error
// wraps ErrNoSandbox and says what to do, or is ctx's error.
func (r Runner) Check(ctx context.Context) error {
	if r.Unsandboxed {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		return fmt.Errorf("%w: bwrap is not installed: %s", ErrNoSandbox, noSandboxFix)
	}
	dir, err := os.MkdirTemp("", "tandem-probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bwrap, append(sandboxArgs(dir), "--", "true")...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil {
		msg := strings.TrimSpace(string(out))
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("%w: %s: %s", ErrNoSandbox, msg, noSandboxFix)
	}
	return nil
}

// sandboxJob returns a job that runs argv in a bubblewrap sandbox whose
// only writable folder of the caller's is dir.
func sandboxJob(dir string, argv, env []string) (*job, error) {
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		return nil, fmt.Errorf("%w: bwrap is not installed: %s", ErrNoSandbox, noSandboxFix)
	}
	if dir, err = filepath.Abs(dir); err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return nil, err
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	// bwrap reports on fd 3, the first of ExtraFiles, and closes it in
	// the command.
	args := append(sandboxArgs(dir), "--json-status-fd", "3", "--")
	cmd := exec.Command(bwrap, append(args, argv...)...)
	cmd.Env = environ(env, sandboxHome)
	cmd.ExtraFiles = []*os.File{statusW}
	st := &bwrapStatus{done: make(chan struct{})}
	go st.read(statusR)
	return &job{
		cmd:     cmd,
		started: func() { statusW.Close() },
		ended: func() bool {
			select {
			case <-st.done:
			case <-time.After(reapWait):
				statusR.Close()
				<-st.done
			}
			if st.childPID > 0 {
				waitGone(st.childPID, reapWait)
			}
			return st.exited
		},
		cleanup: func() { statusR.Close() },
	}, nil
}

// sandboxArgs returns bwrap's options for a sandbox around dir: its own
// user, PID, IPC, UTS, cgroup and mount namespaces, the caller's network,
// no capabilities, a /proc of its own processes, the system's programs
// and libraries and a few files of /etc read-only, a /tmp of its own, and
// dir, writable, at the same path, as the working directory. Every
// process in it is killed when bwrap or its parent dies, and when the
// command ends (its PID namespace ends with its first process).
func sandboxArgs(dir string) []string {
	args := []string{
		"--die-with-parent", "--new-session",
		"--unshare-all", "--unshare-user", "--share-net", "--cap-drop", "ALL",
	}
	for _, d := range systemDirs {
		fi, err := os.Lstat(d)
		switch {
		case err != nil:
		case fi.Mode()&os.ModeSymlink != 0:
			if target, err := os.Readlink(d); err == nil {
				args = append(args, "--symlink", target, d)
			}
		case fi.IsDir():
			args = append(args, "--ro-bind", d, d)
		}
	}
	for _, f := range systemEtc {
		args = append(args, "--ro-bind-try", "/etc/"+f, "/etc/"+f)
	}
	return append(args,
		"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
		"--bind", dir, dir, "--chdir", dir)
}

// bwrapStatus is what bwrap reports on --json-status-fd: the host's pid
// of the sandbox's first process, and, only when the command was started,
// its exit. Its fields are read once done is closed.
type bwrapStatus struct {
	childPID int
	exited   bool
	done     chan struct{}
}

// read reads bwrap's reports from r until it ends or is closed.
func (s *bwrapStatus) read(r io.Reader) {
	defer close(s.done)
	dec := json.NewDecoder(r)
	for {
		var doc struct {
			ChildPID *int `json:"child-pid"`
			ExitCode *int `json:"exit-code"`
		}
		if err := dec.Decode(&doc); err != nil {
			return
		}
		if doc.ChildPID != nil {
			s.childPID = *doc.ChildPID
		}
		if doc.ExitCode != nil {
			s.exited = true
		}
	}
}

// waitGone waits up to wait for process pid to end. The first process of
// a PID namespace becomes a zombie only once every other process of the
// namespace is gone, so a zombie counts as gone.
func waitGone(pid int, wait time.Duration) {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return
		}
		// The state follows the command name in parentheses.
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && strings.HasPrefix(string(stat[i+1:]), " Z") {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
