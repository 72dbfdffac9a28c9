// Package throttle keeps Tandem a good citizen of the code hosts and
// trackers it writes to: a write budget per host that stays under their
// abuse limits, Retry-After and rate-limit answers honoured, and backoff
// with jitter on server errors, without ever repeating a write that may
// have happened.
package throttle

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
)

// Defaults: GitHub allows about 80 content-creating requests a minute and
// suspends tokens that go past it; staying a little under suits every host.
const (
	DefaultWritesPerMinute = 60
	DefaultRetries         = 3
	maxWait                = 2 * time.Minute
)

// Transport is an http.RoundTripper for code host and tracker APIs.
type Transport struct {
	Base http.RoundTripper
	// WritesPerMinute is each host's write budget (default 60).
	WritesPerMinute int
	// Retries is how many times a request is tried again (default 3).
	Retries int
	// Sleep waits, or returns early with ctx's error (tests replace it).
	Sleep func(ctx context.Context, d time.Duration) error

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	metrics  *metrics
}

type metrics struct {
	budget  *prometheus.GaugeVec
	answers *prometheus.CounterVec
	retries *prometheus.CounterVec
}

// New returns a Transport over base (http.DefaultTransport when nil) whose
// metrics, when reg is not nil, show each host's remaining write budget,
// answers by status and retries.
func New(base http.RoundTripper, reg prometheus.Registerer) *Transport {
	t := &Transport{Base: base, limiters: map[string]*rate.Limiter{}, metrics: &metrics{
		budget: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tandem_host_write_budget",
			Help: "Writes a code host or tracker can take now without going past Tandem's budget."}, []string{"host"}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tandem_host_requests_total",
			Help: "Requests to code hosts and trackers, by host and status code (0: no answer)."}, []string{"host", "code"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tandem_host_retries_total",
			Help: "Requests to code hosts and trackers tried again, by host."}, []string{"host"}),
	}}
	if reg != nil {
		reg.MustRegister(t.metrics.budget, t.metrics.answers, t.metrics.retries)
	}
	return t
}

func (t *Transport) limiter(host string) *rate.Limiter {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.limiters == nil {
		t.limiters = map[string]*rate.Limiter{}
	}
	l, ok := t.limiters[host]
	if !ok {
		per := t.WritesPerMinute
		if per <= 0 {
			per = DefaultWritesPerMinute
		}
		l = rate.NewLimiter(rate.Every(time.Minute/time.Duration(per)), per/4+1)
		t.limiters[host] = l
	}
	return l
}

// Budget returns the gauge of a host's remaining write budget.
func (t *Transport) Budget(host string) prometheus.Gauge {
	return t.metrics.budget.WithLabelValues(host)
}

// idempotent reports whether a request can be sent again without doing
// its work twice.
func idempotent(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// RoundTrip sends the request within the host's write budget, and tries it
// again when that is safe: after a rate-limit answer (429, or 403 with
// Retry-After: the host did nothing), honouring Retry-After; and, for
// idempotent requests only, after a server error (5xx) or no answer, with
// exponential backoff and jitter. A write that may have happened is never
// sent twice: the caller finds it by its marker instead.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, host := req.Context(), req.URL.Host
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	retries := t.Retries
	if retries == 0 {
		retries = DefaultRetries
	}
	write := !idempotent(req) || req.Method == http.MethodPut || req.Method == http.MethodDelete
	for attempt := 0; ; attempt++ {
		if write {
			l := t.limiter(host)
			if err := l.Wait(ctx); err != nil {
				return nil, err
			}
			if t.metrics != nil {
				t.metrics.budget.WithLabelValues(host).Set(l.Tokens())
			}
		}
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		resp, err := base.RoundTrip(req)
		code := 0
		if resp != nil {
			code = resp.StatusCode
		}
		if t.metrics != nil {
			t.metrics.answers.WithLabelValues(host, strconv.Itoa(code)).Inc()
		}
		wait, again := t.verdict(req, resp, err, attempt)
		if !again || attempt >= retries || wait > maxWait || (req.Body != nil && req.GetBody == nil) {
			return resp, err
		}
		if resp != nil {
			resp.Body.Close()
		}
		if t.metrics != nil {
			t.metrics.retries.WithLabelValues(host).Inc()
		}
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// verdict says whether to try again, and after how long.
func (t *Transport) verdict(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	backoff := time.Duration(100<<attempt) * time.Millisecond
	backoff += time.Duration(rand.Int64N(int64(backoff)))
	switch {
	case err != nil:
		return backoff, idempotent(req) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	case resp.StatusCode == http.StatusTooManyRequests,
		resp.StatusCode == http.StatusForbidden && resp.Header.Get("Retry-After") != "":
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return d, true
		}
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
				return time.Until(time.Unix(reset, 0)), true
			}
		}
		return backoff, true
	case resp.StatusCode >= 500:
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			backoff = d
		}
		return backoff, idempotent(req)
	}
	return 0, false
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

func (t *Transport) sleep(ctx context.Context, d time.Duration) error {
	if t.Sleep != nil {
		return t.Sleep(ctx, d)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
