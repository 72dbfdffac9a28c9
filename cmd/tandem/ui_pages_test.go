package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestUIPages reads a launched and escalated campaign in a browser as a
// newcomer would: its tickets, its change requests and their approval,
// a launch with nothing left to file, and the way back from an error.
func TestUIPages(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	srv := startServer(t, sqlstoretest.SQLite(t))
	catalog, repos := campaignFleet(t)
	// A ticket body with a link, as campaigns' authors write them.
	yaml := filepath.Join(catalog, "catalog.yaml")
	src, err := os.ReadFile(yaml)
	if err != nil {
		t.Fatal(err)
	}
	title := "    title: \"Move {{ .Team }} off logrus\"\n"
	body := title + "    body: |\n      Read [the obslog guide](https://docs.example/obslog) first.\n\n      {{ range .Codebases }}- **{{ .Name }}**\n      {{ end }}\n"
	if !strings.Contains(string(src), title) {
		t.Fatalf("the campaign fleet's migration has no ticket title %q", title)
	}
	writeFile(t, yaml, strings.Replace(string(src), title, body, 1))
	for _, args := range [][]string{
		{"apply", "-f", catalog}, {"scan", "--wait"},
		{"campaign", "launch", "logrus-to-obslog"}, {"campaign", "escalate", "logrus-to-obslog"},
	} {
		if code, _, errOut := tandemCLI(t, srv, args...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	bob := createToken(t, srv, "bob", tandem.RoleTeamMember)     // of checkout
	alice := createToken(t, srv, "alice", tandem.RoleTeamMember) // of payments
	var crs []tandem.ChangeRequest
	if err := json.Unmarshal([]byte(httpGet(t, srv+"/api/v1/change-requests")), &crs); err != nil {
		t.Fatal(err)
	}
	changeOf := map[string]string{}
	for _, cr := range crs {
		changeOf[cr.Codebase] = "/change-requests/" + strconv.FormatInt(cr.ID, 10)
	}
	if changeOf["checkout-web"] == "" || changeOf["search"] == "" {
		t.Fatalf("the escalation opened no change request for checkout-web and search: %+v", crs)
	}

	// The browser starts on the test's context: a step's own timeout would
	// stop it.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv+"/")); err != nil {
		t.Fatal(err)
	}
	shots := artifacts(t)
	shoot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		})
	}
	do := func(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second) // a missing element fails this step, not the browser
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(t *testing.T, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	count := func(t *testing.T, sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}
	signIn := func(t *testing.T, token string) {
		t.Helper()
		do(t, chromedp.Navigate(srv+"/signin"), chromedp.SendKeys(`#token`, token),
			chromedp.Click(`//button[text()="Sign in"]`), chromedp.WaitVisible(".flash"))
	}

	t.Run("TheTicketPageRendersMarkdownWithoutTheMarker", func(t *testing.T) {
		do(t, chromedp.Navigate(srv+"/tickets/1"), chromedp.WaitVisible("h1"), shoot("ticket-markdown"))
		if n := count(t, `main article li strong`); n == 0 {
			t.Error("the ticket's list of codebases is no list")
		}
		if n := count(t, `main article a[href="https://docs.example/obslog"]`); n != 1 {
			t.Errorf("%d links to the guide, want 1:\n%s", n, text(t, "main"))
		}
		html, err := chromedp.Run(ctx, chromedp.OuterHTML("main"))
		if err != nil {
			t.Fatal(err)
		}
		for _, hidden := range []string{"tandem:campaign=", "<!--", "](https://"} {
			if strings.Contains(html, hidden) {
				t.Errorf("the ticket page shows %q:\n%s", hidden, html)
			}
		}
	})

	t.Run("AChangeRequestShowsItsDiffAndItsOwnersMayApprove", func(t *testing.T) {
		signIn(t, bob)
		do(t, chromedp.Navigate(srv+changeOf["checkout-web"]), chromedp.WaitVisible("#files"), shoot("change-request-diff"))
		if files := text(t, "main table"); !strings.Contains(files, "main.go") {
			t.Errorf("the changed files do not name main.go:\n%s", files)
		}
		if diff := text(t, "pre.diff"); !strings.Contains(diff, `+import log "acme.dev/obslog"`) || !strings.Contains(diff, `-import log "github.com/sirupsen/logrus"`) {
			t.Errorf("the diff lacks the fix's lines:\n%s", diff)
		}
		if n := count(t, `form[action="/campaigns/logrus-to-obslog/approve"] button`); n != 1 {
			t.Errorf("bob, of checkout, sees %d Approve buttons, want 1", n)
		}
	})

	t.Run("AnotherTeamSeesNoApproveButton", func(t *testing.T) {
		signIn(t, alice)
		do(t, chromedp.Navigate(srv+changeOf["checkout-web"]), chromedp.WaitVisible("#files"))
		if n := count(t, `form[action$="/approve"]`); n != 0 {
			t.Errorf("alice, of payments, sees %d Approve forms, want none", n)
		}
	})

	t.Run("ApprovingFromThePageMerges", func(t *testing.T) {
		before := gittest.Run(t, filepath.Join(repos, "checkout-web"), "rev-parse", "main")
		signIn(t, bob)
		do(t, chromedp.Navigate(srv+changeOf["checkout-web"]), chromedp.Click(`//button[text()="Approve"]`), chromedp.WaitVisible(".flash"),
			shoot("change-request-approved"))
		if flash := text(t, ".flash"); !strings.Contains(flash, "Approved by bob and merged") {
			t.Errorf("flash = %q", flash)
		}
		if about := text(t, "main p.muted"); !strings.Contains(about, "approved by bob") {
			t.Errorf("the page does not say who approved: %q", about)
		}
		repo := filepath.Join(repos, "checkout-web")
		if after := gittest.Run(t, repo, "rev-parse", "main"); after == before {
			t.Error("checkout-web's main did not move")
		}
		if got := gittest.Run(t, repo, "show", "main:main.go"); !strings.Contains(got, "acme.dev/obslog") {
			t.Errorf("main.go on main:\n%s", got)
		}
		if n := count(t, `form[action$="/approve"]`); n != 0 {
			t.Errorf("%d Approve forms once approved, want none", n)
		}
	})

	t.Run("ALaunchWithNothingNewOffersNoLaunch", func(t *testing.T) {
		signIn(t, testAdminToken)
		do(t, chromedp.Navigate(srv+"/campaigns/logrus-to-obslog/launch"), chromedp.WaitVisible("h1"), shoot("launch-nothing-new"))
		if n := count(t, `form[action$="/launch"]`); n != 0 {
			t.Errorf("%d Launch forms with nothing to file, want none", n)
		}
		if body := text(t, "main"); !strings.Contains(body, "Launching now would file no ticket and update none") || !strings.Contains(body, "Unowned, not ticketed: orphan") {
			t.Errorf("the preview does not say what a launch would do:\n%s", body)
		}
	})

	t.Run("AnAdminsRefusedApprovalLinksBack", func(t *testing.T) {
		do(t, chromedp.Navigate(srv+changeOf["search"]), chromedp.Click(`//button[text()="Approve"]`), chromedp.WaitVisible(`[role=alert]`),
			shoot("error-approve"))
		if msg := text(t, "[role=alert]"); !strings.Contains(msg, "admin is not in search") {
			t.Errorf("error = %q", msg)
		}
		if n := count(t, `main a[href="`+changeOf["search"]+`"]`); n != 1 {
			t.Errorf("the error page does not link back to %s:\n%s", changeOf["search"], text(t, "main"))
		}
	})

	t.Run("SignInFirstLinksToSignIn", func(t *testing.T) {
		do(t, chromedp.Navigate(srv+"/"), chromedp.Click(`//button[text()="Sign out"]`), chromedp.WaitVisible(`//header//a[text()="Sign in"]`),
			chromedp.Navigate(srv+"/codebases"), chromedp.WaitVisible("h1"))
		// A form of a page kept open since its person signed out.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
			const f = document.createElement("form"); f.method = "post"; f.action = "/scan";
			document.body.append(f); f.submit(); return true })()`)); err != nil {
			t.Fatal(err)
		}
		do(t, chromedp.WaitVisible(`[role=alert]`), shoot("error-sign-in-first"))
		if msg := text(t, "[role=alert]"); !strings.Contains(msg, "sign in first") {
			t.Errorf("error = %q", msg)
		}
		if n := count(t, `main a[href="/signin"]`); n != 1 {
			t.Errorf("the error page does not link to /signin:\n%s", text(t, "main"))
		}
		if n := count(t, `main a[href="/codebases"]`); n != 1 {
			t.Errorf("the error page does not link back to /codebases:\n%s", text(t, "main"))
		}
	})
}
