package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// browser returns a chromedp context on a headless Chromium, skipping the
// test where none is installed (.ci/run installs Debian's chromium).
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("TANDEM_REQUIRE_BROWSER") != "" {
			t.Fatal("chromium is not installed")
		}
		t.Skip("chromium is not installed: apt-get install chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// artifacts is where the UI tests save screenshots of every page.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TANDEM_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-artifacts")
	}
	dir = filepath.Join(dir, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestUI(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	url := startServer(t, sqlstoretest.SQLite(t), "--demo="+filepath.Join(t.TempDir(), "demo"))
	if code, _, errOut := tandemCLI(t, url, "scan", "--wait"); code != 0 {
		t.Fatalf("scan: %s", errOut)
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
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	t.Run("TheHomePageShowsAdoptionAndTheCampaign", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(url+"/"), chromedp.WaitVisible("#campaigns"), shoot("home")); err != nil {
			t.Fatal(err)
		}
		body := text("main")
		for _, want := range []string{"obslog", "2 codebases · 2 teams adopted", "logrus-to-obslog", "Replace logrus with obslog"} {
			if !strings.Contains(body, want) {
				t.Errorf("home page lacks %q", want)
			}
		}
	})

	signIn := func(t *testing.T, token string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url+"/signin"), chromedp.SendKeys(`#token`, token),
			chromedp.Click(`//button[text()="Sign in"]`), chromedp.WaitVisible(".flash")); err != nil {
			t.Fatalf("sign in: %v", err)
		}
	}

	t.Run("ScanNowShowsLiveProgress", func(t *testing.T) {
		signIn(t, testAdminToken)
		if err := chromedp.Do(ctx, chromedp.Navigate(url+"/"), chromedp.Click(`//button[text()="Scan now"]`), chromedp.WaitVisible("#scan")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("scan").textContent.endsWith("done.")`)); err != nil {
			t.Fatalf("the scan never showed done: %v (%q)", err, text("#scan"))
		}
		if got := text("#scan"); !strings.Contains(got, "9/9 codebases read, 1 failed") {
			t.Errorf("scan progress = %q", got)
		}
	})

	t.Run("LaunchingFromTheCampaignPageFilesTickets", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(url+"/"),
			chromedp.Click(`a[href="/campaigns/logrus-to-obslog"]`),
			chromedp.WaitVisible(`#targets`),
			shoot("campaign-before-launch"),
			chromedp.Click(`a[href="/campaigns/logrus-to-obslog/launch"]`),
			chromedp.WaitVisible(`//button[text()="Launch now"]`),
			shoot("launch-preview"),
		)
		if err != nil {
			t.Fatal(err)
		}
		if preview := text("main"); !strings.Contains(preview, "New ticket for payments: Move payments off logrus before 2027-03-31") {
			t.Errorf("preview:\n%s", preview)
		}
		if err := chromedp.Do(ctx, chromedp.Click(`//button[text()="Launch now"]`), chromedp.WaitVisible(".flash"), shoot("campaign-launched")); err != nil {
			t.Fatal(err)
		}
		if flash := text(".flash"); !strings.Contains(flash, "2 tickets filed") {
			t.Errorf("flash = %q", flash)
		}
		if teams := text("main"); !strings.Contains(teams, "#1 open") || !strings.Contains(teams, "ticketed") {
			t.Errorf("the campaign page shows no tickets after the launch:\n%s", teams)
		}
	})

	t.Run("AnExemptionIsGrantedFromTheTargetRow", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(url+"/campaigns/logrus-to-obslog?team=search"),
			chromedp.Click(`details summary`),
			chromedp.SendKeys(`input[name=reason]`, "rewritten in Rust next month"),
			chromedp.SetValue(`input[name=until]`, "2099-01-31"),
			chromedp.Click(`//button[starts-with(text(), "Exempt ")]`),
			chromedp.WaitVisible(".flash"),
		)
		if err != nil {
			t.Fatal(err)
		}
		if flash := text(".flash"); !strings.Contains(flash, "search-indexer is exempt until 2099-01-31") {
			t.Errorf("flash = %q", flash)
		}
	})

	t.Run("EscalatingProposesChangesAndTours", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(url+"/campaigns/logrus-to-obslog"),
			chromedp.Click(`//button[text()="Escalate stragglers"]`),
			chromedp.WaitVisible(".flash"),
		)
		if err != nil {
			t.Fatal(err)
		}
		if flash := text(".flash"); !strings.Contains(flash, "1 change requests") {
			t.Errorf("flash = %q", flash)
		}
	})

	t.Run("ATeamPageShowsWhatItOwes", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(url+"/teams/payments"), chromedp.WaitVisible("h1"), shoot("team")); err != nil {
			t.Fatal(err)
		}
		body := text("main")
		for _, want := range []string{"What the platforms ask of us", "Move payments off logrus before 2027-03-31", "deadline 2027-03-31", "payments-api", "pr-open"} {
			if !strings.Contains(body, want) {
				t.Errorf("team page lacks %q:\n%s", want, body)
			}
		}
	})

	t.Run("AProductTeamAsksAPlatformFromItsPage", func(t *testing.T) {
		_, out, errOut := tandemCLI(t, url, "token", "create", "--person", "alice", "--role", "team-member")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if secret := lines[len(lines)-1]; !strings.HasPrefix(secret, "tdm_") {
			t.Fatalf("token create: %s %s", out, errOut)
		}
		steps := []struct {
			name string
			do   chromedp.Action[chromedp.Void]
		}{
			{"open the sign-in page", chromedp.Navigate(url + "/signin")},
			{"paste alice's token", chromedp.SendKeys(`#token`, lines[len(lines)-1])},
			{"sign in", chromedp.Click(`//button[text()="Sign in"]`)},
			{"see the greeting", chromedp.WaitVisible(".flash")},
			{"open the platform", chromedp.Navigate(url + "/platforms/obslog")},
			{"open the request form", chromedp.Click(`//summary[starts-with(text(), "Ask obslog")]`)},
			{"name the team", chromedp.SendKeys(`input[name=from_team]`, "payments")},
			{"say what is needed", chromedp.SendKeys(`input[name=title]`, "Pair with us on sampling")},
			{"file it", chromedp.Click(`//button[text()="File request"]`)},
			{"see it filed", chromedp.WaitVisible(".flash")},
			{"screenshot", shoot("platform-request")},
		}
		for _, step := range steps {
			sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			err := chromedp.Do(sctx, step.do)
			cancel()
			if err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
		}
		if flash := text(".flash"); !strings.Contains(flash, "Request 1 filed by payments") {
			t.Errorf("flash = %q", flash)
		}
		if body := text("main"); !strings.Contains(body, "Pair with us on sampling") || !strings.Contains(text("header"), "Signed in as alice") {
			t.Errorf("the request or the signed-in name is missing:\n%s", body)
		}
	})

	t.Run("TheCampaignPageFitsAPhone", func(t *testing.T) {
		err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844),
			chromedp.Navigate(url+"/campaigns/logrus-to-obslog"), chromedp.WaitVisible("#targets"), shoot("campaign-phone"))
		if err != nil {
			t.Fatal(err)
		}
		// Tables scroll inside their own box; the page itself does not.
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil {
			t.Fatal(err)
		}
		if wide {
			culprits, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")].filter(e => (e.matches(".table-wrap") || !e.closest(".table-wrap")) && e.getBoundingClientRect().right > window.innerWidth + 1).concat([document.documentElement]).slice(0, 6).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right) + "/" + e.scrollWidth + "/" + window.innerWidth)`))
			t.Errorf("the campaign page scrolls sideways on a phone: %v", culprits)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("EveryOtherPageRenders", func(t *testing.T) {
		for _, p := range []struct{ name, path, want string }{
			{"platform", "/platforms/obslog", "2 codebases in 2 teams"},
			{"codebase", "/codebases/payments-api", "Owned by payments (from codeowners)"},
			{"codebases", "/codebases", "checkout-web"},
			{"ticket", "/tickets/1", "The platform team proposed the change to payments-api"},
			{"change-request", "/change-requests/1", "branch tandem/logrus-to-obslog"},
			{"search", "/search?q=pay", "payments-ledger"},
			{"signin", "/signin", "Paste your Tandem token"},
		} {
			if err := chromedp.Do(ctx, chromedp.Navigate(url+p.path), chromedp.WaitVisible("h1"), shoot(p.name)); err != nil {
				t.Fatalf("%s: %v", p.path, err)
			}
			if body := text("main"); !strings.Contains(body, p.want) {
				t.Errorf("%s lacks %q:\n%s", p.path, p.want, body)
			}
		}
	})
}
