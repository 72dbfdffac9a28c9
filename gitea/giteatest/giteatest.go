// Package giteatest starts a real Gitea server for tests and fills it with
// organizations, repositories and commits through its API.
package giteatest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Version is the Gitea release the tests run against.
const Version = "1.26.0"

// Server is a Gitea started for a test on a free loopback port.
type Server struct {
	URL        string // with no trailing slash
	AdminToken string // an access token of AdminUser with every scope
	AdminUser  string
}

// Binary returns the path of the Gitea binary the tests run: $TANDEM_GITEA,
// or ~/.cache/tandem/gitea-<Version>.
func Binary() string {
	if p := os.Getenv("TANDEM_GITEA"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "tandem", "gitea-"+Version)
}

// BuildCommand returns the shell command that builds Gitea Version into
// bin from its Go module, as .ci/run does (3 to 4 minutes).
func BuildCommand(bin string) string {
	return "mkdir -p " + filepath.Dir(bin) + ` && cd "$(cd /tmp && go mod download -json code.gitea.io/gitea@v` + Version +
		` | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')" && GOFLAGS=-mod=mod go build -tags 'sqlite sqlite_unlock_notify' -o ` + bin + " ."
}

// Start starts Gitea for t and stops it in t.Cleanup. It skips t when the
// binary is missing, and says so on the terminal, or fails it instead when
// TANDEM_REQUIRE_GITEA=1; both name the command that builds it.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := requireBinary(t)
	dir := t.TempDir()
	port := freePort(t)
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	ini := filepath.Join(dir, "app.ini")
	if err := os.WriteFile(ini, []byte(appINI(dir, port)), 0o600); err != nil {
		t.Fatal(err)
	}
	const user, password = "tandem", "tandem-test-password"
	install(t, bin, dir, ini, user, password)
	exited, log := serve(t, bin, dir, ini)
	awaitAnswer(t, url, exited, log)

	s := &Server{URL: url, AdminUser: user}
	s.AdminToken = s.createToken(t, user, password)
	return s
}

// requireBinary returns the path of the Gitea binary, or skips or fails
// t when it is missing (see Start).
func requireBinary(t testing.TB) string {
	t.Helper()
	bin := Binary()
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("TANDEM_REQUIRE_GITEA") == "1" {
			t.Fatalf("gitea binary %s is missing (TANDEM_REQUIRE_GITEA=1); build it with:\n  %s", bin, BuildCommand(bin))
		}
		announceSkip.Do(func() { toTerminal(bin) })
		t.Skipf("gitea binary %s is missing (set TANDEM_GITEA, or build it with: %s)", bin, BuildCommand(bin))
	}
	return bin
}

// install makes Gitea's database under dir, configured by ini, and its
// admin user.
func install(t testing.TB, bin, dir, ini, user, password string) {
	t.Helper()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = giteaEnv(dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gitea %s: %v\n%s", args[0], err, out)
		}
	}
	run("migrate", "-c", ini, "--work-path", dir)
	run("admin", "user", "create", "--admin", "--username", user, "--password", password,
		"--email", "tandem@example.com", "--must-change-password=false", "-c", ini, "--work-path", dir)
}

// serve starts Gitea's web server and stops it in t.Cleanup. It returns
// a channel closed when the server exits and the server's output.
func serve(t testing.TB, bin, dir, ini string) (exited <-chan struct{}, log *lockedBuffer) {
	t.Helper()
	log = &lockedBuffer{}
	cmd := exec.Command(bin, "web", "-c", ini, "--work-path", dir)
	cmd.Env = giteaEnv(dir)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start gitea: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return done, log
}

// awaitAnswer waits until the Gitea at url answers its API, and fails t
// when it exits first or does not answer within 30 seconds.
func awaitAnswer(t testing.TB, url string, exited <-chan struct{}, log *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/api/v1/version")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("gitea exited while starting:\n%s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("gitea did not answer on %s within 30s:\n%s", url, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// createToken returns a new access token of user with every scope.
func (s *Server) createToken(t testing.TB, user, password string) string {
	t.Helper()
	var token struct {
		SHA1 string `json:"sha1"`
	}
	body := map[string]any{"name": "tandem-test", "scopes": []string{"all"}}
	s.call(t, "POST", "/users/"+user+"/tokens", body, &token, func(r *http.Request) { r.SetBasicAuth(user, password) })
	if token.SHA1 == "" {
		t.Fatal("gitea returned an empty token")
	}
	return token.SHA1
}

var announceSkip sync.Once

// toTerminal tells the person running the tests, once per test binary,
// that the tests on a real Gitea are skipped. A plain `go test ./...`
// shows nothing of a passing package's output, skips included, so the
// line goes to the controlling terminal, as password prompts do; without
// one (CI, where TANDEM_REQUIRE_GITEA=1 is set) there is nobody to tell.
// With -v the skips are shown already.
func toTerminal(bin string) {
	if testing.Verbose() {
		return
	}
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer tty.Close()
	dir, _ := os.Getwd()
	fmt.Fprintf(tty, "note: %s: tests on a real Gitea skipped: %s is missing; .ci/run builds it, or:\n  %s\n", dir, bin, BuildCommand(bin))
}

// appINI returns the configuration of a throwaway Gitea under dir: SQLite,
// loopback only, no background work, webhooks allowed to loopback.
func appINI(dir string, port int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true\nRUN_MODE = prod\nWORK_PATH = %s\n\n", dir)
	fmt.Fprintf(&b, "[server]\nHTTP_ADDR = 127.0.0.1\nHTTP_PORT = %d\nROOT_URL = http://127.0.0.1:%d/\nDISABLE_SSH = true\nOFFLINE_MODE = true\nAPP_DATA_PATH = %s\n", port, port, filepath.Join(dir, "data"))
	if static := staticRoot(); static != "" {
		fmt.Fprintf(&b, "STATIC_ROOT_PATH = %s\n", static)
	}
	fmt.Fprintf(&b, "\n[database]\nDB_TYPE = sqlite3\nPATH = %s\n", filepath.Join(dir, "gitea.db"))
	fmt.Fprintf(&b, "\n[repository]\nROOT = %s\n", filepath.Join(dir, "repos"))
	b.WriteString("\n[security]\nINSTALL_LOCK = true\n")
	b.WriteString("\n[service]\nDISABLE_REGISTRATION = true\n")
	b.WriteString("\n[indexer]\nISSUE_INDEXER_TYPE = db\n")
	b.WriteString("\n[webhook]\nALLOWED_HOST_LIST = loopback\nDELIVER_TIMEOUT = 5\n")
	b.WriteString("\n[mailer]\nENABLED = false\n")
	b.WriteString("\n[cron]\nENABLED = false\n")
	b.WriteString("\n[log]\nMODE = console\nLEVEL = warn\n")
	return b.String()
}

// staticRoot returns the Gitea module's source folder, whose locale files
// the binary reads, or "" when the module is not downloaded.
func staticRoot() string {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return ""
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "code.gitea.io", "gitea@v"+Version)
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// giteaEnv returns the environment Gitea and the git it runs start with,
// free of the user's git configuration.
func giteaEnv(dir string) []string {
	return append(os.Environ(), "GITEA_WORK_DIR="+dir, "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1")
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lockedBuffer collects a process's output from two pipes at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Call sends a JSON request to the API path (after /api/v1) as the admin,
// decodes the answer into out when out is not nil, and fails t unless the
// status is 2xx.
func (s *Server) Call(t testing.TB, method, path string, body, out any) {
	t.Helper()
	s.call(t, method, path, body, out, func(r *http.Request) { r.Header.Set("Authorization", "token "+s.AdminToken) })
}

// CallAs sends a JSON request to the API path as user, through the
// admin's token and Gitea's Sudo header, as Call does.
func (s *Server) CallAs(t testing.TB, user, method, path string, body, out any) {
	t.Helper()
	s.call(t, method, path, body, out, func(r *http.Request) {
		r.Header.Set("Authorization", "token "+s.AdminToken)
		r.Header.Set("Sudo", user)
	})
}

func (s *Server) call(t testing.TB, method, path string, body, out any, auth func(*http.Request)) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+"/api/v1"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	auth(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s\n%s", method, path, resp.Status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
}

// CreateOrg creates a public organization.
func (s *Server) CreateOrg(t testing.TB, name string) {
	t.Helper()
	s.Call(t, "POST", "/orgs", map[string]any{"username": name, "visibility": "public"}, nil)
}

// CreateUser creates a user who is not an administrator, with the e-mail
// address name@example.com.
func (s *Server) CreateUser(t testing.TB, name string) {
	t.Helper()
	s.Call(t, "POST", "/admin/users", map[string]any{"username": name, "email": name + "@example.com",
		"password": "tandem-test-password", "must_change_password": false}, nil)
}

// CreateTeam creates a team of org with write access to all its
// repositories' code and pull requests, whose members are members, and
// returns its id.
func (s *Server) CreateTeam(t testing.TB, org, name string, members ...string) int64 {
	t.Helper()
	var team struct {
		ID int64 `json:"id"`
	}
	s.Call(t, "POST", "/orgs/"+org+"/teams", map[string]any{"name": name, "permission": "write",
		"includes_all_repositories": true, "units": []string{"repo.code", "repo.pulls"}}, &team)
	for _, m := range members {
		s.Call(t, "PUT", fmt.Sprintf("/teams/%d/members/%s", team.ID, m), nil, nil)
	}
	return team.ID
}

// CreateRepo creates a repository of org with default branch main and, when
// files is not empty, one commit of files on it.
func (s *Server) CreateRepo(t testing.TB, org, name string, files map[string]string) {
	t.Helper()
	s.Call(t, "POST", "/orgs/"+org+"/repos", map[string]any{"name": name, "default_branch": "main", "auto_init": false}, nil)
	if len(files) > 0 {
		s.Commit(t, org, name, files)
	}
}

// Commit adds a commit on main that creates or replaces files, and returns
// its id.
func (s *Server) Commit(t testing.TB, org, repo string, files map[string]string) string {
	t.Helper()
	return s.CommitOn(t, org, repo, "main", files)
}

// CommitOn adds a commit on branch that creates or replaces files, and
// returns its id.
func (s *Server) CommitOn(t testing.TB, org, repo, branch string, files map[string]string) string {
	t.Helper()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	ops := make([]map[string]string, 0, len(paths))
	for _, p := range paths {
		ops = append(ops, map[string]string{
			"operation": "upload",
			"path":      p,
			"content":   base64.StdEncoding.EncodeToString([]byte(files[p])),
		})
	}
	var out struct {
		Commit struct {
			SHA string `json:"sha"`
		} `json:"commit"`
	}
	body := map[string]any{"branch": branch, "message": "change " + strings.Join(paths, ", "), "files": ops}
	s.Call(t, "POST", "/repos/"+org+"/"+repo+"/contents", body, &out)
	return out.Commit.SHA
}

// BranchCommit returns the id of the commit at the head of a branch.
func (s *Server) BranchCommit(t testing.TB, org, repo, branch string) string {
	t.Helper()
	var out struct {
		Commit struct {
			ID string `json:"id"`
		} `json:"commit"`
	}
	s.Call(t, "GET", "/repos/"+org+"/"+repo+"/branches/"+branch, nil, &out)
	return out.Commit.ID
}
