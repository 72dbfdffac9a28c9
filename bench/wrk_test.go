package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"
)

// wrkReport is what wrk 4.1 printed for a run of 64 connections.
const wrkReport = `Running 5s test @ http://127.0.0.1:8089/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.94ms   17.35ms 135.29ms   91.41%
    Req/Sec     3.07k   801.69     5.09k    70.00%
  Latency Distribution
     50%    8.01ms
     75%   12.40ms
     90%   21.18ms
     99%  812.00us
  30613 requests in 5.02s, 96.44MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   6093.42
Transfer/sec:     19.20MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkReport)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 30613 || r.Non2xx != 7 || r.Failed != 5 || r.OK != 30606 || r.Elapsed != 5020*time.Millisecond {
		t.Errorf("counts %+v", r)
	}
	if r.P50() != 8010*time.Microsecond || r.P99() != 812*time.Microsecond || r.Max() != 135290*time.Microsecond {
		t.Errorf("p50 %v, p99 %v, max %v", r.P50(), r.P99(), r.Max())
	}
	if r.Bytes < 101_000_000 || r.Bytes > 101_200_000 || r.Answered() != 30608 {
		t.Errorf("bytes %d, answered %d", r.Bytes, r.Answered())
	}
	if _, err := parseWrk("wrk: command not found"); err == nil {
		t.Error("a report without counts parsed")
	}
}

// TestWrkLoads runs the installed wrk against a real server and checks
// its counts against the server's own.
func TestWrkLoads(t *testing.T) {
	path, err := exec.LookPath("wrk")
	if err != nil {
		t.Skip("wrk is not installed")
	}
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusInternalServerError)
		}
		w.Write([]byte("hello"))
	}))
	defer srv.Close()
	r, err := Wrk(context.Background(), path, LoadOptions{URL: srv.URL + "/fail", Connections: 4, Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Non2xx != r.Requests || r.Requests > served.Load() {
		t.Errorf("wrk counted %d requests, %d non-2xx; the server answered %d: want every one an error", r.Requests, r.Non2xx, served.Load())
	}
	if r.P50() <= 0 || r.P99() < r.P50() {
		t.Errorf("p50 %v, p99 %v", r.P50(), r.P99())
	}
}
