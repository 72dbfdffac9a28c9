package throttle_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tandem-dev/tandem/throttle"
)

// host answers each request with the next scripted answer, and counts them.
type host struct {
	mu      sync.Mutex
	answers []func(w http.ResponseWriter)
	seen    []string
}

func (h *host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	h.seen = append(h.seen, r.Method+" "+string(body))
	a := h.answers[0]
	if len(h.answers) > 1 {
		h.answers = h.answers[1:]
	}
	a(w)
}

func status(code int, headers ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name     string
		method   string
		answers  []func(http.ResponseWriter)
		wantCode int
		wantSent int
		wantWait []time.Duration // exact waits; nil: only count them
	}{
		{"a read is tried again after server errors", http.MethodGet,
			[]func(http.ResponseWriter){status(500), status(502), status(200)}, 200, 3, nil},
		{"a write that may have happened is never sent twice", http.MethodPost,
			[]func(http.ResponseWriter){status(500), status(201)}, 500, 1, []time.Duration{}},
		{"a rate-limited write waits as Retry-After says and is sent again", http.MethodPost,
			[]func(http.ResponseWriter){status(429, "Retry-After", "7"), status(201)}, 201, 2, []time.Duration{7 * time.Second}},
		{"a secondary rate limit (403 with Retry-After) is waited out", http.MethodPost,
			[]func(http.ResponseWriter){status(403, "Retry-After", "3"), status(201)}, 201, 2, []time.Duration{3 * time.Second}},
		{"a plain 403 is an answer, not a limit", http.MethodPost,
			[]func(http.ResponseWriter){status(403), status(201)}, 403, 1, []time.Duration{}},
		{"retries stop after the third", http.MethodGet,
			[]func(http.ResponseWriter){status(503)}, 503, 4, nil},
		{"a wait longer than two minutes is not waited", http.MethodPost,
			[]func(http.ResponseWriter){status(429, "Retry-After", "3600"), status(201)}, 429, 1, []time.Duration{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := &host{answers: tt.answers}
			srv := httptest.NewServer(h)
			defer srv.Close()
			var waits []time.Duration
			tr := throttle.New(nil, nil)
			tr.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			req, _ := http.NewRequest(tt.method, srv.URL+"/api/v1/repos/x/issues", strings.NewReader(`{"title":"t"}`))
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantCode || len(h.seen) != tt.wantSent {
				t.Errorf("answer %d after %d requests, want %d after %d", resp.StatusCode, len(h.seen), tt.wantCode, tt.wantSent)
			}
			for _, s := range h.seen {
				if tt.method == http.MethodPost && s != `POST {"title":"t"}` {
					t.Errorf("a retried write lost its body: %q", s)
				}
			}
			if tt.wantWait != nil && (len(waits) != len(tt.wantWait) || len(waits) > 0 && waits[0] != tt.wantWait[0]) {
				t.Errorf("waits = %v, want %v", waits, tt.wantWait)
			}
			if tt.wantWait == nil && len(waits) != tt.wantSent-1 {
				t.Errorf("waited %d times for %d requests", len(waits), tt.wantSent)
			}
		})
	}
}

func TestRateLimitReset(t *testing.T) {
	reset := time.Now().Add(30 * time.Second).Unix()
	h := &host{answers: []func(http.ResponseWriter){
		status(429, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", strconv.FormatInt(reset, 10)), status(200)}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	var waited time.Duration
	tr := throttle.New(nil, nil)
	tr.Sleep = func(ctx context.Context, d time.Duration) error { waited = d; return nil }
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	if waited < 25*time.Second || waited > 31*time.Second {
		t.Errorf("waited %v, want until the reset in ~30s", waited)
	}
}

func TestWriteBudgetIsMeasured(t *testing.T) {
	h := &host{answers: []func(http.ResponseWriter){status(201)}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	reg := prometheus.NewRegistry()
	tr := throttle.New(nil, reg)
	tr.WritesPerMinute = 60
	c := &http.Client{Transport: tr}
	for range 3 {
		resp, err := c.Post(srv.URL, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	budget := testutil.ToFloat64(tr.Budget(host))
	if budget < 12 || budget > 14 {
		t.Errorf("budget after 3 writes = %v, want about 16-3", budget)
	}
	if n := testutil.CollectAndCount(reg, "tandem_host_requests_total"); n != 1 {
		t.Errorf("request series = %d, want 1", n)
	}
}
