package gitea_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitea"
)

// Push payloads as Gitea, GitHub and GitLab send them, cut to the fields
// around the ones ParsePush reads.
const (
	giteaPush  = `{"ref":"refs/heads/main","before":"4b825dc642cb6eb9a060e54bf8d69288fbee4904","after":"1d2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b","compare_url":"https://git.acme.example/acme/api/compare/4b825dc6...1d2f3a4b","commits":[{"id":"1d2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b","message":"Update README\n","url":"https://git.acme.example/acme/api/commit/1d2f3a4b","author":{"name":"Alice","email":"alice@example.com","username":"alice"}}],"total_commits":1,"repository":{"id":7,"owner":{"id":2,"login":"acme","username":"acme"},"name":"api","full_name":"acme/api","private":true,"default_branch":"main"},"pusher":{"id":3,"login":"alice"},"sender":{"id":3,"login":"alice"}}`
	githubPush = `{"ref":"refs/heads/feature/login","before":"0000000000000000000000000000000000000000","after":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","created":true,"deleted":false,"forced":false,"base_ref":null,"repository":{"id":186853002,"node_id":"MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=","name":"Hello-World","full_name":"Codertocat/Hello-World","private":false,"owner":{"name":"Codertocat","login":"Codertocat"},"default_branch":"master"},"pusher":{"name":"Codertocat","email":"21031067+Codertocat@users.noreply.github.com"},"head_commit":null}`
	gitlabPush = `{"object_kind":"push","event_name":"push","before":"95790bf891e76fee5e1747ab589903a6a1f80f22","after":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7","ref":"refs/heads/master","checkout_sha":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7","user_username":"jsmith","project_id":15,"project":{"id":15,"name":"Diaspora","path_with_namespace":"mike/diaspora","default_branch":"master"},"repository":{"name":"Diaspora","url":"git@example.com:mike/diaspora.git","homepage":"http://example.com/mike/diaspora"},"total_commits_count":4}`
	tagPush    = `{"ref":"refs/tags/v1.0.0","before":"0000000000000000000000000000000000000000","after":"1d2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b","repository":{"name":"api","full_name":"acme/api"}}`
)

// FuzzWebhook checks that ParsePullRequest never panics and, when it
// succeeds, gives an address, one of the three states and a repository
// that can name a folder, or none; that ParsePush
// never panics and, when it succeeds,
// names a repository that can name a folder (not empty, "." or "..", and
// without "/" or "\"), and that VerifySignature accepts the body's
// HMAC-SHA256 in hex, with or without "sha256=", and accepts the fuzzed
// header only when it is that HMAC.
func FuzzWebhook(f *testing.F) {
	for _, body := range []string{
		giteaPush, githubPush, gitlabPush, tagPush,
		`{"ref":"refs/heads/main","after":"abc","repository":{"name":"api","full_name":"acme/api"}}`,
		`{"object_kind":"push","ref":"refs/heads/main","after":"da15","project":{"name":"Payments API","path_with_namespace":"acme/platform/payments-api"},"repository":{"name":"Payments API"}}`,
		`{"object_kind":"push","ref":"refs/heads/main","after":"da15","project":{"path_with_namespace":"acme/"},"repository":{"name":"api"}}`,
		`{"ref":"refs/heads/main"}`,
		`{"zen":"Keep it logically awesome.","hook_id":1,"repository":{"name":"api"}}`,
		`{"action":"closed","number":1,"pull_request":{"html_url":"http://forge/acme/api/pulls/1","state":"closed","merged":true}}`,
		`{"object_kind":"merge_request","object_attributes":{"iid":3,"url":"https://gitlab.example.com/acme/api/-/merge_requests/3","state":"locked"}}`,
		`ref=main`,
		``,
	} {
		mac := hmac.New(sha256.New, []byte("hook-secret"))
		mac.Write([]byte(body))
		sum := hex.EncodeToString(mac.Sum(nil))
		f.Add([]byte(body), []byte("hook-secret"), sum)
		f.Add([]byte(body), []byte("hook-secret"), "sha256="+strings.ToUpper(sum))
		f.Add([]byte(body), []byte("other"), " sha256="+sum+"\n")
	}
	f.Add([]byte(giteaPush), []byte(nil), "")
	f.Fuzz(func(t *testing.T, body, secret []byte, header string) {
		pr, err := gitea.ParsePullRequest(body)
		switch {
		case err != nil:
			if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
				t.Errorf("ParsePullRequest: ErrorCode = %q, want %q (%v)", got, want, err)
			}
		case pr.URL == "" || (pr.State != tandem.ChangeOpen && pr.State != tandem.ChangeMerged && pr.State != tandem.ChangeClosed):
			t.Errorf("ParsePullRequest succeeded with %q, state %q", pr.URL, pr.State)
		case pr.Repo != "" && !tandem.FolderName(pr.Repo):
			t.Errorf("ParsePullRequest succeeded with repository %q", pr.Repo)
		}

		repo, _, _, err := gitea.ParsePush(body)
		switch {
		case err != nil:
			if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
				t.Errorf("ErrorCode = %q, want %q (%v)", got, want, err)
			}
		case repo == "" || repo == "." || repo == ".." || strings.ContainsAny(repo, `/\`):
			t.Errorf("ParsePush succeeded with repository %q", repo)
		}

		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		sum := hex.EncodeToString(mac.Sum(nil))
		signed := len(secret) > 0
		for _, h := range []string{sum, "sha256=" + sum} {
			if got := gitea.VerifySignature(secret, body, h); got != signed {
				t.Errorf("VerifySignature(%q, body, %q) = %v, want %v", secret, h, got, signed)
			}
		}
		// Hex is read in either case, and the header may be padded with
		// white space.
		same := strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(header), "sha256="), sum)
		if got := gitea.VerifySignature(secret, body, header); got != (signed && same) {
			t.Errorf("VerifySignature(%q, body, %q) = %v, want %v (HMAC %s)", secret, header, got, signed && same, sum)
		}
	})
}
