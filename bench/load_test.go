package bench

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadServer is a real HTTP server whose /slow answers 200 after 2 ms,
// /fail answers 500, and /hang answers only when the client gives up;
// it counts the requests it answered and the connections they came on.
type loadServer struct {
	*httptest.Server
	answered atomic.Int64
	mu       sync.Mutex
	remotes  map[string]bool
}

const slowBody = "a body of some bytes\n"

func newLoadServer(t *testing.T) *loadServer {
	s := &loadServer{remotes: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		s.seen(r)
		time.Sleep(2 * time.Millisecond)
		w.Write([]byte(slowBody))
		s.answered.Add(1)
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		s.seen(r)
		http.Error(w, "broken", http.StatusInternalServerError)
		s.answered.Add(1)
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *loadServer) seen(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remotes[r.RemoteAddr] = true
}

func (s *loadServer) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.remotes)
}

func TestLoadCountsEveryRequestOnItsConnections(t *testing.T) {
	s := newLoadServer(t)
	o := LoadOptions{URL: s.URL + "/slow", Connections: 8, Duration: time.Second, Timeout: 2 * time.Second}
	start := time.Now()
	r, err := Load(t.Context(), o)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Requests != r.OK+r.Errors() || r.Errors() != 0 {
		t.Errorf("requests = %d, want %d ok + %d errors, and no errors (%s)", r.Requests, r.OK, r.Errors(), r.FirstError)
	}
	if r.Answered() != r.OK {
		t.Errorf("latencies recorded = %d, want one per answered request, %d", r.Answered(), r.OK)
	}
	// Requests under way when the load ends are answered, not counted.
	if answered := s.answered.Load(); answered < r.Requests || answered > r.Requests+int64(o.Connections) {
		t.Errorf("server answered %d requests, want from %d to %d", answered, r.Requests, r.Requests+int64(o.Connections))
	}
	if want := r.OK * int64(len(slowBody)); r.Bytes != want {
		t.Errorf("bytes = %d, want %d", r.Bytes, want)
	}
	if got := s.connections(); got != o.Connections {
		t.Errorf("requests came on %d connections, want %d", got, o.Connections)
	}
	if p50 := r.P50(); p50 < 2*time.Millisecond || p50 >= 200*time.Millisecond {
		t.Errorf("p50 = %v, want from 2ms to 200ms", p50)
	}
	if r.P50() > r.P99() || r.P99() > r.Max() {
		t.Errorf("p50 %v, p99 %v, max %v: want them in order", r.P50(), r.P99(), r.Max())
	}
	if rate := r.Rate(); rate <= 0 || rate > float64(o.Connections)*500 {
		t.Errorf("rate = %.0f req/s, want at most one request per 2 ms per connection", rate)
	}
	if took > o.Duration+o.Timeout || r.Elapsed > o.Duration {
		t.Errorf("load took %v (elapsed %v), want it to stop within %v", took, r.Elapsed, o.Duration+o.Timeout)
	}
}

func TestLoadCountsErrorStatuses(t *testing.T) {
	s := newLoadServer(t)
	r, err := Load(t.Context(), LoadOptions{URL: s.URL + "/fail", Connections: 3, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Non2xx != r.Requests || r.OK != 0 || r.Failed != 0 {
		t.Errorf("requests %d, ok %d, non-2xx %d, failed %d: want every request an error status", r.Requests, r.OK, r.Non2xx, r.Failed)
	}
	if !strings.Contains(r.FirstError, "500") {
		t.Errorf("first error = %q, want the status", r.FirstError)
	}
}

func TestLoadCountsRequestsWithoutAnAnswer(t *testing.T) {
	s := newLoadServer(t)
	url := s.URL
	s.Close()
	r, err := Load(t.Context(), LoadOptions{URL: url + "/slow", Connections: 2, Duration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Failed != r.Requests || r.Answered() != 0 || r.P99() != 0 {
		t.Errorf("requests %d, failed %d, answered %d, p99 %v: want every request failed", r.Requests, r.Failed, r.Answered(), r.P99())
	}
}

func TestLoadFailsRequestsPastTheirTimeout(t *testing.T) {
	s := newLoadServer(t)
	o := LoadOptions{URL: s.URL + "/hang", Connections: 2, Duration: 500 * time.Millisecond, Timeout: 100 * time.Millisecond}
	r, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Failed < 4 || r.Failed != r.Requests {
		t.Errorf("requests %d, failed %d: want each connection's requests to fail every 100ms", r.Requests, r.Failed)
	}
}

func TestLoadStopsAtItsDurationWithRequestsUnderWay(t *testing.T) {
	s := newLoadServer(t)
	o := LoadOptions{URL: s.URL + "/hang", Connections: 4, Duration: 300 * time.Millisecond, Timeout: 10 * time.Second}
	start := time.Now()
	r, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > o.Duration+time.Second {
		t.Errorf("load took %v, want it to stop at its duration, %v", took, o.Duration)
	}
	if r.Requests != 0 || r.Rate() != 0 {
		t.Errorf("requests = %d, rate %.1f: want none counted, all under way at the end", r.Requests, r.Rate())
	}
}

func TestLoadRefusesABadURL(t *testing.T) {
	if _, err := Load(t.Context(), LoadOptions{URL: "://nowhere", Duration: time.Millisecond}); err == nil {
		t.Error("Load of a bad URL succeeded")
	}
}

func TestHistogramIsWithinOnePercent(t *testing.T) {
	for v := int64(1); v < histogramMax; v = v*21/20 + 1 {
		i := bucket(v)
		if i < 0 || i >= histogramBuckets {
			t.Fatalf("bucket(%d) = %d, out of 0 to %d", v, i, histogramBuckets)
		}
		if top := bucketTop(i); top < v || float64(top-v) > 0.01*float64(v) {
			t.Fatalf("bucket of %d ends at %d: not within 1%%", v, top)
		}
		if i > 0 && bucketTop(i-1) >= v {
			t.Fatalf("bucket %d before %d's ends at %d", i-1, v, bucketTop(i-1))
		}
	}
	var h histogram
	for ms := range 1000 {
		h.record(time.Duration(ms+1) * time.Millisecond)
	}
	var merged histogram
	merged.merge(&h)
	merged.record(2 * time.Minute) // counted as 60s
	for q, want := range map[float64]time.Duration{0.5: 500 * time.Millisecond, 0.99: 990 * time.Millisecond} {
		if got := merged.quantile(q); got < want || float64(got-want) > 0.01*float64(want) {
			t.Errorf("quantile(%v) = %v, want %v to 1%%", q, got, want)
		}
	}
	if got := merged.quantile(1); got != time.Minute {
		t.Errorf("quantile(1) = %v, want the longest, counted as 1m0s", got)
	}
}
