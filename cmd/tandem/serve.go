package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/advisor"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/chat"
	"github.com/tandem-dev/tandem/demo"
	"github.com/tandem-dev/tandem/gitea"
	"github.com/tandem-dev/tandem/github"
	"github.com/tandem-dev/tandem/gitlab"
	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/jira"
	"github.com/tandem-dev/tandem/jobs"
	"github.com/tandem-dev/tandem/local"
	"github.com/tandem-dev/tandem/manifest"
	"github.com/tandem-dev/tandem/proc"
	"github.com/tandem-dev/tandem/scan"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/throttle"
	"github.com/tandem-dev/tandem/web"
)

// defaultDB is the database of serve, backup and restore when --db is not
// given.
const defaultDB = "tandem.db"

type serveOptions struct {
	scanEvery time.Duration
	rules     string
	mirrors   string
	db        string
	addr      string
	demo      string
	role      string
	anonymous bool
	timeout   time.Duration
	workers   int
	verbose   bool
	// publicURL is where browsers reach the server: sign-in cookies are
	// Secure with https, and the OpenID Connect provider sends browsers
	// back to it.
	publicURL string
	oidc      web.OIDC
	// unsandboxed runs command checks and fixes without bubblewrap.
	unsandboxed bool
}

// Roles of a serve process: several processes on one PostgreSQL database
// may split the API and the background work between them.
const (
	roleAll    = "all"    // the API, the UI and the background work
	roleAPI    = "api"    // the API and the UI; work is left to workers
	roleWorker = "worker" // the background work, with /healthz and /metrics
)

func serveCommand(e env) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP API, the web UI and the background workers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return serve(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVar(&o.db, "db", defaultDB, "database: a SQLite file, or a postgres:// URL")
	cmd.Flags().StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&o.demo, "demo", "", "make a demo fleet and catalog in this folder (if missing), apply it and scan it; without a folder, in the user's cache folder")
	cmd.Flags().Lookup("demo").NoOptDefVal = demo.DefaultDir()
	cmd.Flags().StringVar(&o.role, "role", roleAll, "what this process does: all, api (the API and UI, no background work) or worker (background work only); api and worker need PostgreSQL")
	cmd.Flags().BoolVar(&o.anonymous, "anonymous-read", true, "let requests without a token read the catalog, campaigns and pages (as a viewer); changes always need a token")
	cmd.Flags().DurationVar(&o.timeout, "job-timeout", jobs.DefaultJobTimeout, "cancel a background job running longer; a killed process's jobs are worked again this long and 30s after they started")
	cmd.Flags().IntVar(&o.workers, "workers", 4, "background jobs run at once by this process")
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "log every request and job")
	cmd.Flags().DurationVar(&o.scanEvery, "scan-every", 15*time.Minute, "scan every code host this often, for what webhooks missed (0: never)")
	cmd.Flags().StringVar(&o.mirrors, "mirrors", "tandem-mirrors", "where repositories of remote code hosts are mirrored for scanning")
	cmd.Flags().StringVar(&o.rules, "advisor-rules", "", "a YAML rules table that replaces the advisor's built-in one (docs/advisor.md)")
	cmd.Flags().BoolVar(&o.unsandboxed, "unsandboxed-commands", false, "run command checks and fixes without the bubblewrap sandbox, able to read the server's files and environment (docs/security.md); only where bwrap cannot run and the commands are trusted")
	cmd.Flags().StringVar(&o.publicURL, "public-url", "", "where browsers reach this server (https://tandem.example.com): with https, sign-in cookies are Secure; an OpenID Connect provider sends browsers back to PUBLIC-URL/signin/oidc/callback")
	oidcFlags(cmd, &o.oidc)
	return cmd
}

// serve runs until ctx ends, then drains requests and jobs.
func serve(ctx context.Context, e env, o serveOptions) error {
	logger := serveLogger(e, o.verbose)
	// Checked before the database is opened: a first start's admin token,
	// printed only once the server runs, would be lost to a later failure.
	if err := o.validate(); err != nil {
		return err
	}
	o.oidc.PublicURL = o.publicURL
	oidc, err := setupOIDC(ctx, o.oidc, e.getenv)
	if err != nil {
		return err
	}
	db, err := openServeDB(ctx, o)
	if err != nil {
		return err
	}
	defer db.Close()
	admin, err := bootstrapToken(ctx, db, e.getenv)
	if err != nil {
		return err
	}
	site := &siteURL{url: o.publicURL}
	b, err := newBackend(ctx, e, o, db, logger, site)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if site.url == "" {
		site.url = "http://" + ln.Addr().String()
	}
	handler, err := b.handler(e, o, oidc)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	if err := b.queue.Start(ctx); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	logger.Info("serving", "url", url, "db", db.Dialect(), "role", o.role)
	if err := greet(ctx, e, o, b, admin, url); err != nil {
		return err
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	}
	b.shutdown(srv)
	return nil
}

// serveLogger returns the logger of serve, on stderr: every request and
// job when verbose.
func serveLogger(e env, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}

// validate returns EINVALID for an unknown role or a public URL that is
// not http(s).
func (o serveOptions) validate() error {
	if o.role != roleAll && o.role != roleAPI && o.role != roleWorker {
		return tandem.Errorf(tandem.EINVALID, "--role %q: want all, api or worker", o.role)
	}
	if o.publicURL != "" {
		if _, err := tandem.BaseURL("--public-url", o.publicURL); err != nil {
			return err
		}
	}
	return nil
}

// openServeDB opens the database of serve; a role other than all needs
// PostgreSQL, which several processes can share.
func openServeDB(ctx context.Context, o serveOptions) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, o.db)
	if err != nil {
		return nil, err
	}
	if o.role != roleAll && db.Dialect() != sqlstore.Postgres {
		db.Close()
		return nil, tandem.Errorf(tandem.EINVALID, "--role %s needs a PostgreSQL database (--db postgres://…): a SQLite database is served by one process", o.role)
	}
	return db, nil
}

// backend is what a serve process's API and workers share: the store, the
// job queue and the campaign service, its log and its metrics.
type backend struct {
	db        *sqlstore.DB
	queue     *jobs.Queue
	campaigns *campaign.Service
	logger    *slog.Logger
	reg       *prometheus.Registry
}

// newBackend makes the campaign service and the job queue over db, with
// the code hosts, trackers and command runner they work through.
func newBackend(ctx context.Context, e env, o serveOptions, db *sqlstore.DB, logger *slog.Logger, site *siteURL) (backend, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	poster := &chat.Poster{Getenv: e.getenv}
	// Every call to a code host or tracker goes through one throttle: a
	// write budget per host, Retry-After honoured, reads retried.
	hostClient := &http.Client{Timeout: 30 * time.Second, Transport: throttle.New(nil, reg)}
	hosts := hostOpener{getenv: e.getenv, mirrors: o.mirrors, client: hostClient}
	runner := commandRunner(ctx, o.unsandboxed, logger)
	scanner := scan.New()
	scanner.Runner = runner
	campaigns := &campaign.Service{Store: db, Fix: fixRunner(e.getenv, runner), Merge: gitx.Merge, Diff: gitx.ChangeDiff, BranchHead: gitx.BranchHead, Notify: poster.Post,
		ChangedFiles: func(ctx context.Context, repo, base, head string) ([]string, error) {
			return gitx.Commits{Dir: repo}.ChangedFiles(ctx, base, head)
		},
		Shard: func(ctx context.Context, r campaign.ShardRun) (string, error) {
			return gitx.Shard(ctx, gitx.ShardRequest(r))
		},
		Trackers:  func(t tandem.Tracker) (tandem.TicketTracker, error) { return hosts.tracker(ctx, db, t) },
		Proposers: hosts.proposer}
	queue, err := jobs.New(ctx, db.SQL(), db.Pool(), jobs.Config{
		Store:      db,
		OpenHost:   hosts.open,
		Head:       scanner.Head,
		Read:       scanner.Read,
		Tick:       tick(campaigns, db),
		ScanEvery:  o.scanEvery,
		Logger:     logger,
		Workers:    o.workers,
		Registerer: reg,
		InsertOnly: o.role == roleAPI,
		JobTimeout: o.timeout,
		Guard:      &jobs.GuardConfig{Store: db, Open: hosts.guard, Evaluate: evaluateGuard, CampaignURL: site.campaign},
	})
	if err != nil {
		return backend{}, err
	}
	return backend{db: db, queue: queue, campaigns: campaigns, logger: logger, reg: reg}, nil
}

// commandRunner returns the runner of command checks and fixes: in a
// sandbox unless unsandboxed; where none can be made, each is refused
// with an error saying why.
func commandRunner(ctx context.Context, unsandboxed bool, logger *slog.Logger) proc.Runner {
	runner := proc.Runner{Unsandboxed: unsandboxed}
	if unsandboxed {
		logger.Warn("command checks and fixes run without a sandbox (--unsandboxed-commands)")
	} else if err := runner.Check(ctx); err != nil {
		logger.Warn("command checks and fixes will be refused", "err", err)
	}
	return runner
}

// handler returns what the process answers: the API, the pages and the
// webhooks, or only health and metrics for a worker.
func (b backend) handler(e env, o serveOptions, oidc *web.OIDC) (http.Handler, error) {
	api := web.NewServer(b.db, b.queue, b.campaigns, b.logger, b.reg)
	api.SetGetenv(e.getenv)
	api.SetAnonymousRead(o.anonymous)
	if err := api.SetPublicURL(o.publicURL); err != nil {
		return nil, err
	}
	api.SetOIDC(oidc)
	api.SetWebhookReceivers(webhookReceivers())
	api.SetPullRequestGuard(b.queue)
	var handler http.Handler = api
	if o.role == roleWorker {
		// A worker answers its health and metrics, not the API.
		mux := http.NewServeMux()
		mux.Handle("GET /healthz", api)
		mux.Handle("GET /metrics", api)
		handler = mux
	}
	if o.rules != "" {
		data, err := os.ReadFile(o.rules)
		if err != nil {
			return nil, fmt.Errorf("advisor rules: %w", err)
		}
		rules, err := advisor.ParseRules(o.rules, data)
		if err != nil {
			return nil, err
		}
		api.SetAdvisorRules(rules)
	}
	return handler, nil
}

// greet loads the demo, when asked for, and tells the user where the
// server is, with the first admin token, made by this start, unless it
// came from the environment.
func greet(ctx context.Context, e env, o serveOptions, b backend, admin, url string) error {
	if o.demo != "" {
		if err := loadDemo(ctx, b.db, b.queue, o.demo); err != nil {
			return err
		}
	}
	if admin != "" && e.getenv("TANDEM_BOOTSTRAP_TOKEN") == "" {
		fmt.Fprintf(e.stdout, "The first admin token was created. Its secret, shown this once:\n  export TANDEM_TOKEN=%s\n"+
			"Sign in to the pages with it, and make tokens for others with `tandem token create`.\n", admin)
	}
	fmt.Fprintf(e.stdout, "Tandem is serving on %s\n", url)
	if o.demo != "" {
		printDemoHints(e, o.demo, url)
	}
	return nil
}

// shutdown drains srv's requests and the queue's jobs, for 15 seconds at
// most.
func (b backend) shutdown(srv *http.Server) {
	b.logger.Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		b.logger.Error("http shutdown", "err", err)
	}
	if err := b.queue.Stop(ctx); err != nil {
		b.logger.Error("workers shutdown", "err", err)
	}
}

// tick is the scheduled work of every minute: campaigns' nudges,
// exemptions and escalations, and announced support model changes that
// take effect.
func tick(campaigns *campaign.Service, store tandem.Store) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		n, err := campaigns.Tick(ctx)
		if _, serr := store.ApplySupportChanges(ctx, time.Now().UTC()); serr != nil {
			err = errors.Join(err, serr)
		}
		return n, err
	}
}

// fixRunner runs a campaign's fix with the git binary and runner, in an
// environment of the variables the fix names alone.
func fixRunner(getenv func(string) string, runner proc.Runner) func(context.Context, campaign.FixRun) (string, error) {
	return func(ctx context.Context, r campaign.FixRun) (string, error) {
		env := []string{}
		for _, name := range r.Env {
			if v := getenv(name); v != "" {
				env = append(env, name+"="+v)
			}
		}
		return gitx.Fix(ctx, gitx.FixRequest{Repo: r.Repo, Base: r.Base, Branch: r.Branch, Run: r.Run, Message: r.Message, Timeout: r.Timeout, Env: env, Runner: runner})
	}
}

// hostOpener opens the code hosts and trackers declared in the catalog.
type hostOpener struct {
	getenv  func(string) string
	mirrors string
	client  *http.Client
}

// open returns the Host behind a declared code host.
func (o hostOpener) open(h tandem.CodeHost) (tandem.Host, error) {
	switch h.Type {
	case tandem.HostLocal:
		return local.New(h), nil
	case tandem.HostGitea:
		return gitea.New(h, o.getenv, o.mirrors, o.client)
	case tandem.HostGitHub:
		return github.New(h, o.getenv, o.mirrors, o.client)
	case tandem.HostGitLab:
		return gitlab.New(h, o.getenv, o.mirrors, o.client)
	default:
		return nil, tandem.Errorf(tandem.EINVALID, "code host %s: type %q is not supported", h.Name, h.Type)
	}
}

// webhookReceivers are the readers of webhooks by code host type: the
// types whose hosts send them.
func webhookReceivers() map[string]tandem.WebhookReceiver {
	return map[string]tandem.WebhookReceiver{
		tandem.HostGitea:  gitea.WebhookReceiver{},
		tandem.HostGitHub: github.WebhookReceiver{},
		tandem.HostGitLab: gitlab.WebhookReceiver{},
	}
}

// proposer returns the pull request opener of a code host: the host
// itself, when it opens pull requests.
func (o hostOpener) proposer(h tandem.CodeHost) (tandem.ChangeProposer, error) {
	host, err := o.open(h)
	if err != nil {
		return nil, err
	}
	p, ok := host.(tandem.ChangeProposer)
	if !ok {
		return nil, tandem.Errorf(tandem.EINVALID, "code host %s: %s hosts take no pull requests", h.Name, h.Type)
	}
	return p, nil
}

// tracker returns the client of a team's own tracker.
func (o hostOpener) tracker(ctx context.Context, store tandem.Store, t tandem.Tracker) (tandem.TicketTracker, error) {
	switch t.Type {
	case tandem.TrackerJira:
		return jira.NewTracker(t, o.getenv, o.client)
	case tandem.TrackerGitea, tandem.TrackerGitHub, tandem.TrackerGitLab:
	default:
		return nil, tandem.Errorf(tandem.EINVALID, "tracker type %q files no tickets elsewhere", t.Type)
	}
	hs, err := store.FindCodeHosts(ctx, t.Host)
	if err != nil {
		return nil, err
	}
	switch t.Type {
	case tandem.TrackerGitHub:
		return github.NewTracker(hs[0], t.Repo, o.getenv, o.client)
	case tandem.TrackerGitLab:
		return gitlab.NewTracker(hs[0], t.Repo, o.getenv, o.client)
	default:
		return gitea.NewTracker(hs[0], t.Repo, o.getenv, o.client)
	}
}

// loadDemo makes the demo fleet, applies its catalog and starts a scan.
func loadDemo(ctx context.Context, store tandem.Store, scanner tandem.Scanner, dir string) error {
	catalog, err := demo.Create(ctx, dir)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	srcs, err := manifest.Read(catalog)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	objs, err := manifest.Decode(srcs)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if _, err := store.Apply(ctx, objs); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if _, err := scanner.StartScan(ctx); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// printDemoHints tells a newcomer what to try next.
func printDemoHints(e env, dir, url string) {
	server := ""
	if url != serverDefault(e.getenv) {
		server = " --server " + url
	}
	fmt.Fprintf(e.stdout, "Demo fleet in %s is applied and being scanned.\nOpen %s, or try:\n"+
		"  go run ./cmd/tandem get codebases%s\n"+
		"  go run ./cmd/tandem adoption obslog%s\n"+
		"  go run ./cmd/tandem campaign status logrus-to-obslog%s\n", dir, url, server, server, server)
}

// oidcFlags are the flags of sign-in through an OpenID Connect provider.
func oidcFlags(cmd *cobra.Command, o *web.OIDC) {
	cmd.Flags().StringVar(&o.Issuer, "oidc-issuer", "", "sign people in to the pages through this OpenID Connect provider (its issuer URL, as its discovery document says it)")
	cmd.Flags().StringVar(&o.ClientID, "oidc-client-id", "", "the client id Tandem has at the provider")
	cmd.Flags().StringVar(&o.ClientSecret, "oidc-client-secret", "", "the client secret, by reference only: env:NAME")
	cmd.Flags().StringSliceVar(&o.Admins, "oidc-admins", nil, "people (comma-separated handles) who sign in as admins")
	cmd.Flags().StringVar(&o.Name, "oidc-name", "", "the provider's name on the sign-in page (default: the issuer's host)")
	cmd.Flags().StringVar(&o.Claim, "oidc-claim", web.DefaultOIDCClaim, "the ID token's claim that is the person's handle in the catalog")
}

// setupOIDC returns the sign-in through an OpenID Connect provider, nil
// without --oidc-issuer. Every setting is needed, the secret must be set,
// and the issuer must answer.
func setupOIDC(ctx context.Context, o web.OIDC, getenv func(string) string) (*web.OIDC, error) {
	if o.Issuer == "" {
		return nil, nil
	}
	if o.ClientID == "" || o.ClientSecret == "" || o.PublicURL == "" {
		return nil, tandem.Errorf(tandem.EINVALID, "--oidc-issuer needs --oidc-client-id, --oidc-client-secret env:NAME and --public-url (where browsers reach this server)")
	}
	if !strings.HasPrefix(o.ClientSecret, "env:") {
		return nil, tandem.Errorf(tandem.EINVALID, "--oidc-client-secret: a secret is named only by reference, env:NAME, never written inline")
	}
	if _, err := tandem.ResolveSecret(o.ClientSecret, getenv); err != nil {
		return nil, fmt.Errorf("--oidc-client-secret: %w", err)
	}
	if err := o.Discover(ctx); err != nil {
		return nil, fmt.Errorf("--oidc-issuer: %w", err)
	}
	return &o, nil
}
