package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestCampaignStats runs a campaign through the real CLI and server and
// checks `campaign stats -o json` against figures the test computes from
// the records the campaign left: payments migrates by itself, search and
// checkout-web get change requests that their owners approve and Tandem
// merges, search's after its owners pushed a commit of their own onto the
// branch (modified), checkout-web's as Tandem pushed it (unmodified); legacy
// never answers.
func TestCampaignStats(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			url := startServer(t, engine.DSN)
			catalog, repos := campaignFleet(t)
			file := filepath.Join(catalog, "catalog.yaml")
			writeFile(t, file, strings.Replace(readFile(t, file), "spec: {contributions: open}", "spec: {contributions: open, autoMerge: true}", 1))
			cli := func(args ...string) string {
				t.Helper()
				code, out, errOut := tandemCLI(t, url, args...)
				if code != 0 {
					t.Fatalf("%v exited %d: %s", args, code, errOut)
				}
				return out
			}
			cli("apply", "-f", catalog)
			cli("scan", "--wait")
			cli("campaign", "launch", "logrus-to-obslog")
			time.Sleep(1100 * time.Millisecond) // responses of whole seconds
			for _, r := range []string{"payments-api", "payments-ledger"} {
				gittest.Commit(t, filepath.Join(repos, r), map[string]string{"main.go": strings.ReplaceAll(logrusImport, "github.com/sirupsen/logrus", "acme.dev/obslog")})
			}
			cli("scan", "--wait")
			cli("campaign", "escalate", "logrus-to-obslog")
			search := filepath.Join(repos, "search")
			gittest.Run(t, search, "checkout", "--quiet", "tandem/logrus-to-obslog")
			gittest.Commit(t, search, map[string]string{"NOTES.md": "reviewed\n"})
			ownersHead := gittest.Run(t, search, "rev-parse", "HEAD")
			gittest.Run(t, search, "checkout", "--quiet", "main")
			time.Sleep(1100 * time.Millisecond)
			cli("campaign", "approve", "logrus-to-obslog", "--codebase", "search", "--by", "sam")
			cli("campaign", "approve", "logrus-to-obslog", "--codebase", "checkout-web", "--by", "bob")

			var tickets []tandem.Ticket
			getJSON(t, url, &tickets, "get", "tickets", "--migration", "logrus-to-obslog", "-o", "json")
			var crs []tandem.ChangeRequest
			getJSON(t, url, &crs, "get", "change-requests", "--migration", "logrus-to-obslog", "-o", "json")
			var status tandem.Campaign
			getJSON(t, url, &status, "campaign", "status", "logrus-to-obslog", "-o", "json")
			if len(tickets) != 4 || len(crs) != 2 {
				t.Fatalf("%d tickets and %d change requests, want 4 and 2", len(tickets), len(crs))
			}
			cr := map[string]tandem.ChangeRequest{}
			for _, c := range crs {
				cr[c.Codebase] = c
			}
			if got := cr["search"].MergedHead; got != ownersHead {
				t.Errorf("search merged with head %s, want the owners' %s", got, ownersHead)
			}
			if got := cr["checkout-web"]; got.MergedHead == "" || got.MergedHead != got.Commit {
				t.Errorf("checkout-web merged with head %q, want Tandem's commit %s", got.MergedHead, got.Commit)
			}

			// The owning teams' first actions, as this story made them.
			secs := func(from time.Time, to *time.Time) tandem.Seconds { return tandem.SecondsOf(to.Sub(from)) }
			payments := ticketOf(t, tickets, "payments")
			paymentsDone := targetOf(status, "payments-api").DoneAt
			response := map[string][]tandem.Seconds{
				"payments": {secs(payments.CreatedAt, paymentsDone)},
				"search": {secs(ticketOf(t, tickets, "search").CreatedAt, cr["search"].ApprovedAt),
					secs(cr["search"].CreatedAt, cr["search"].ApprovedAt)},
				"checkout": {secs(ticketOf(t, tickets, "checkout").CreatedAt, cr["checkout-web"].ApprovedAt),
					secs(cr["checkout-web"].CreatedAt, cr["checkout-web"].ApprovedAt)},
			}
			merge := []tandem.Seconds{secs(cr["search"].CreatedAt, cr["search"].MergedAt), secs(cr["checkout-web"].CreatedAt, cr["checkout-web"].MergedAt)}
			var all []tandem.Seconds
			for _, rs := range response {
				all = append(all, rs...)
			}
			if response["payments"][0] < 1 {
				t.Fatalf("payments answered in %ds: the test needs whole seconds", response["payments"][0])
			}
			open := 0
			for _, tk := range tickets {
				if tk.State == tandem.TicketOpen {
					open++
				}
			}

			var st tandem.CampaignStats
			getJSON(t, url, &st, "campaign", "stats", "logrus-to-obslog", "-o", "json")
			want := tandem.Figures{Tickets: 4, ChangeRequests: 2, Responded: 5,
				FirstResponseMedian: rank(all, 3), FirstResponseP90: rank(all, 5),
				Merged: 2, MergeMedian: rank(merge, 1), MergeP90: rank(merge, 2),
				MergedKnown: 2, MergedUnmodified: 1, MergedUnmodifiedShare: 0.5}
			if st.All != want {
				t.Errorf("all:\n got %+v\nwant %+v", st.All, want)
			}
			if got := st.Teams["legacy"]; got.Tickets != 1 || got.Responded != 0 {
				t.Errorf("legacy: %+v, want one ticket and no response", got)
			}
			if got := st.Teams["search"]; got.FirstResponseMedian != rank(response["search"], 1) || got.MergedUnmodified != 0 || got.MergedKnown != 1 {
				t.Errorf("search: %+v, want a response median of %ds and its one merge modified", got, rank(response["search"], 1))
			}
			if got := st.Teams["checkout"]; got.FirstResponseP90 != rank(response["checkout"], 2) || got.MergedUnmodifiedShare != 1 {
				t.Errorf("checkout: %+v, want a response p90 of %ds and its one merge unmodified", got, rank(response["checkout"], 2))
			}
			if got := st.Patterns[tandem.FileATicket]; got.Tickets != 4 || got.ChangeRequests != 0 {
				t.Errorf("file-a-ticket: %+v, want the 4 tickets", got)
			}
			// checkout-web trusts the platform team; search is open to all.
			if got := st.Patterns[tandem.TrustedOutsider]; got.ChangeRequests != 1 || got.MergedUnmodified != 1 {
				t.Errorf("trusted-outsider: %+v, want checkout-web's change request, merged unmodified", got)
			}
			if got := st.Patterns[tandem.InternalOpenSource]; got.ChangeRequests != 1 || got.MergedKnown != 1 || got.MergedUnmodified != 0 {
				t.Errorf("internal-open-source: %+v, want search's change request, merged modified", got)
			}
			if got := st.Fixes["tandem/logrus-to-obslog"]; got.ChangeRequests != 2 || got.Tickets != 0 {
				t.Errorf("fix tandem/logrus-to-obslog: %+v", got)
			}
			if got := st.Fixes[tandem.FixNone]; got.Tickets != 4 {
				t.Errorf("fix none: %+v", got)
			}

			// Everything open is stuck once the threshold has passed.
			time.Sleep(1100 * time.Millisecond)
			getJSON(t, url, &st, "campaign", "stats", "logrus-to-obslog", "-o", "json", "--stuck-after", "0.00001d")
			if st.All.StuckTickets != open || st.All.StuckChangeRequests != 0 || open == 0 {
				t.Errorf("stuck after a second: %d tickets and %d change requests, want the %d open tickets", st.All.StuckTickets, st.All.StuckChangeRequests, open)
			}
			if out := cli("campaign", "stats", "logrus-to-obslog"); !strings.Contains(out, "team checkout") || !strings.Contains(out, "50% (1/2)") {
				t.Errorf("stats table:\n%s", out)
			}
			page := httpGet(t, url+"/campaigns/logrus-to-obslog/stats")
			for _, want := range []string{"<title>Median time to first response by team</title>", "<title>checkout: ",
				"<title>Change requests merged unmodified by pattern</title>", "<td>team legacy</td><td>1</td><td>0</td><td>–</td>"} {
				if !strings.Contains(page, want) {
					t.Errorf("the analytics page lacks %q", want)
				}
			}
			// A campaign this small shows the same charts and figures on its own page.
			page = httpGet(t, url+"/campaigns/logrus-to-obslog")
			for _, want := range []string{`id="analytics"`, "<title>Median time to first response by team</title>",
				"<title>Change requests merged unmodified by pattern</title>", "merged unmodified 50% (1/2)"} {
				if !strings.Contains(page, want) {
					t.Errorf("the campaign page lacks %q", want)
				}
			}
			if code, _, errOut := tandemCLI(t, url, "campaign", "stats", "logrus-to-obslog", "--stuck-after", "soon"); code == 0 || !strings.Contains(errOut, "stuck_after") {
				t.Errorf("a bad --stuck-after: exit %d, %s", code, errOut)
			}
		})
	}
}

// rank returns the n-th smallest of ss (from 1).
func rank(ss []tandem.Seconds, n int) tandem.Seconds {
	s := slices.Clone(ss)
	slices.Sort(s)
	return s[n-1]
}
