// Package web serves Tandem over HTTP: the JSON API under /api/v1, a small
// server-rendered UI, health and Prometheus metrics.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/advisor"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/consumption"
)

// Server is Tandem's HTTP handler.
type Server struct {
	store     tandem.Store
	scanner   tandem.Scanner
	campaigns *campaign.Service
	logger    *slog.Logger
	gatherer  prometheus.Gatherer
	requests  *prometheus.HistogramVec
	mux       *http.ServeMux
	handler   http.Handler
	getenv    func(string) string
	oidc      *OIDC // sign-in through an OpenID Connect provider, if any
	// publicURL is where browsers reach the server, "" when unknown.
	publicURL string
	// anonymousRead lets requests without a token read (as a viewer).
	anonymousRead bool
	// webhooks reads the webhooks of each type of code host that takes
	// them; see SetWebhookReceivers.
	webhooks map[string]tandem.WebhookReceiver
	// guard evaluates the fleet's pull requests; nil: none is.
	guard tandem.PullRequestGuarder

	// advice and consumption are the services of the advisor and of the
	// consumption figures.
	advice      *advisor.Service
	consumption *consumption.Service

	// cache keeps the answers of read routes while the data is unchanged.
	cache *readCache
}

// NewServer returns the handler of every route, over the given store,
// scanner and campaign service. Metrics are registered in reg and served from it.
func NewServer(store tandem.Store, scanner tandem.Scanner, campaigns *campaign.Service, logger *slog.Logger, reg *prometheus.Registry) *Server {
	s := &Server{
		store:     store,
		scanner:   scanner,
		campaigns: campaigns,
		logger:    logger,
		gatherer:  reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tandem_http_request_duration_seconds",
			Help:    "HTTP requests by route pattern and status code.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 8),
		}, []string{"route", "code"}),
		mux:           http.NewServeMux(),
		advice:        &advisor.Service{Store: store, Rules: advisor.DefaultRules(), Work: campaignWork(campaigns)},
		consumption:   &consumption.Service{Store: store},
		anonymousRead: true,
		getenv:        func(string) string { return "" },
		cache:         newReadCache(reg),
	}
	reg.MustRegister(s.requests)
	s.routes()
	// Forms and the API alike refuse cross-site browser requests (CSRF);
	// the CLI sends neither Origin nor Sec-Fetch-Site and is let through.
	s.handler = http.NewCrossOriginProtection().Handler(s.mux)
	return s
}

// SetGetenv gives the server the environment that secrets named by
// reference (env:NAME), such as webhook secrets, are read from.
func (s *Server) SetGetenv(getenv func(string) string) { s.getenv = getenv }

// SetAnonymousRead says whether requests without a token may read: on by
// default, as a catalog is for everyone in an organisation to see; off,
// only health, metrics, webhooks and sign-in are open.
func (s *Server) SetAnonymousRead(on bool) { s.anonymousRead = on }

// SetAdvisorRules replaces the built-in rules table of the advisor with an
// organisation's own.
func (s *Server) SetAdvisorRules(r advisor.Rules) { s.advice.Rules = r }

// ServeHTTP serves a request, logging and measuring it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	_, pattern := s.mux.Handler(r)
	r, err := s.authenticate(r)
	who, signedIn := tokenOf(r)
	if err == nil && signedIn {
		err = confineCI(who, pattern)
	}
	switch {
	case err != nil:
		s.fail(rec, r, err)
	case !signedIn && !s.anonymousRead && !public(r.URL.Path):
		s.fail(rec, r, tandem.Errorf(tandem.EUNAUTHENTICATED, "sign in first: this server shows nothing without a token"))
	default:
		s.handler.ServeHTTP(rec, r)
	}
	if pattern == "" {
		pattern = "unmatched"
	}
	s.requests.WithLabelValues(pattern, strconv.Itoa(rec.status)).Observe(time.Since(start).Seconds())
	s.logger.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Flush lets streamed answers (server-sent events) through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// statuses maps error codes to HTTP statuses, in this one place.
var statuses = map[string]int{
	tandem.EINVALID:         http.StatusUnprocessableEntity,
	tandem.ENOTFOUND:        http.StatusNotFound,
	tandem.ECONFLICT:        http.StatusConflict,
	tandem.EFORBIDDEN:       http.StatusForbidden,
	tandem.EUNAUTHENTICATED: http.StatusUnauthorized,
	tandem.EUNAVAILABLE:     http.StatusServiceUnavailable,
	tandem.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	tandem.EINTERNAL:        http.StatusInternalServerError,
}

// ErrorBody is the JSON body of every API error.
type ErrorBody struct {
	Error struct {
		Code     string           `json:"code"`
		Message  string           `json:"message"`
		Problems []tandem.Problem `json:"problems,omitempty"`
	} `json:"error"`
}

// writeError answers with err's status and message; internal errors are
// logged here, once, and shown as a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	err = s.meant(r.Context(), err)
	code := tandem.ErrorCode(err)
	if code == tandem.EINTERNAL {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var body ErrorBody
	body.Error.Code = code
	body.Error.Message = tandem.ErrorMessage(err)
	var invalid *tandem.InvalidError
	if errors.As(err, &invalid) {
		body.Error.Problems = invalid.Problems
	}
	writeJSON(w, statuses[code], body)
}

// meant returns err saying which name was perhaps meant, when it refuses
// a name missing from the catalog that is a slip of one there.
func (s *Server) meant(ctx context.Context, err error) error {
	var m *tandem.MissingError
	if !errors.As(err, &m) {
		return err
	}
	names, nerr := s.store.Names(ctx, m.Kind)
	if hint := tandem.DidYouMean(m.Name, names); nerr == nil && hint != "" {
		return &tandem.Error{Code: m.Code, Message: m.Message(hint)}
	}
	return err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func (s *Server) metrics() http.Handler {
	return promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{})
}
