package bench

import (
	"context"
	"fmt"
	"io"
	"math/bits"
	"net/http"
	"sync"
	"time"
)

// LoadOptions says what Load requests and how hard.
type LoadOptions struct {
	URL         string        // what every request GETs
	Connections int           // connections, each with one request at a time (default 64)
	Duration    time.Duration // how long to load (default 30s)
	Timeout     time.Duration // a request taking longer fails (default 10s)
	Header      http.Header   // added to every request, such as Authorization
}

// withDefaults returns o with its zero values replaced by the defaults.
func (o LoadOptions) withDefaults() LoadOptions {
	if o.Connections <= 0 {
		o.Connections = 64
	}
	if o.Duration <= 0 {
		o.Duration = 30 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	return o
}

// LoadResult is what one Load measured. Requests counts every request
// that ended during the load: answered 2xx or 3xx (OK), answered with
// another status (Non2xx), or failed without an answer (Failed).
// Requests still running when the load ends are not counted, as wrk
// does not count them.
type LoadResult struct {
	Requests, OK, Non2xx, Failed int64
	Bytes                        int64         // bodies of the answered requests
	Elapsed                      time.Duration // from the first request to the end of the load
	// FirstError describes one failed request or error status, for the
	// report; "" when there was none.
	FirstError string
	latencies  histogram // of every answered request
	// quantiles and max are the latencies wrk reported, when it loaded.
	quantiles map[float64]time.Duration
	max       time.Duration
}

// Errors is the number of requests answered with a status other than
// 2xx or 3xx, or not answered.
func (r LoadResult) Errors() int64 { return r.Non2xx + r.Failed }

// Rate is the requests per second.
func (r LoadResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Quantile returns the latency that the fraction q of answered requests
// did not exceed, to within 1%; 0 when none was answered.
func (r LoadResult) Quantile(q float64) time.Duration {
	if r.quantiles != nil {
		return r.quantiles[q]
	}
	return r.latencies.quantile(q)
}

// P50 is the median latency of answered requests.
func (r LoadResult) P50() time.Duration { return r.Quantile(0.50) }

// P99 is the 99th percentile latency of answered requests.
func (r LoadResult) P99() time.Duration { return r.Quantile(0.99) }

// Max is the slowest answered request's latency.
func (r LoadResult) Max() time.Duration {
	if r.quantiles != nil {
		return r.max
	}
	return time.Duration(r.latencies.max)
}

// Answered is the number of requests whose latency was recorded: those
// answered, whatever their status.
func (r LoadResult) Answered() int64 {
	if r.quantiles != nil {
		return r.Requests - r.Failed
	}
	return r.latencies.total
}

// Load GETs o.URL in a loop on o.Connections keep-alive connections at
// once, one goroutine each, for o.Duration, reading every body to its
// end, and returns how many requests ended, how, and their latencies. It
// fails only when it cannot make the request or ctx ends.
func Load(ctx context.Context, o LoadOptions) (LoadResult, error) {
	o = o.withDefaults()
	if _, err := http.NewRequest(http.MethodGet, o.URL, nil); err != nil {
		return LoadResult{}, err
	}
	transport := &http.Transport{
		MaxConnsPerHost:     o.Connections,
		MaxIdleConnsPerHost: o.Connections,
		MaxIdleConns:        o.Connections,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	run, stop := context.WithTimeout(ctx, o.Duration)
	defer stop()
	workers := make([]loadWorker, o.Connections)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range workers {
		wg.Go(func() { workers[i].loop(run, client, o) })
	}
	wg.Wait()
	r := LoadResult{Elapsed: min(time.Since(start), o.Duration)}
	for i := range workers {
		r.add(&workers[i])
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}
	return r, nil
}

// add adds a worker's counts and latencies to r.
func (r *LoadResult) add(w *loadWorker) {
	r.OK += w.ok
	r.Non2xx += w.non2xx
	r.Failed += w.failed
	r.Requests += w.ok + w.non2xx + w.failed
	r.Bytes += w.bytes
	r.latencies.merge(&w.latencies)
	if r.FirstError == "" {
		r.FirstError = w.firstError
	}
}

// loadWorker is one connection's requests, counted by the goroutine that
// makes them.
type loadWorker struct {
	ok, non2xx, failed, bytes int64
	firstError                string
	latencies                 histogram
}

// loop requests until run ends.
func (w *loadWorker) loop(run context.Context, client *http.Client, o LoadOptions) {
	for run.Err() == nil {
		w.request(run, client, o)
	}
}

// request makes one request and counts it, unless run ended first.
func (w *loadWorker) request(run context.Context, client *http.Client, o LoadOptions) {
	ctx, cancel := context.WithTimeout(run, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.URL, nil)
	if err != nil {
		w.fail(err)
		return
	}
	for k, vs := range o.Header {
		req.Header[k] = vs
	}
	start := time.Now()
	status, n, err := get(client, req)
	took := time.Since(start)
	switch {
	case err != nil && run.Err() != nil:
		return // the load ended, or was given up, with the request under way
	case err != nil:
		w.fail(err)
		return
	}
	w.latencies.record(took)
	w.bytes += n
	if status >= 200 && status < 400 {
		w.ok++
		return
	}
	w.non2xx++
	if w.firstError == "" {
		w.firstError = fmt.Sprintf("GET %s: %d %s", o.URL, status, http.StatusText(status))
	}
}

// fail counts a request that got no answer.
func (w *loadWorker) fail(err error) {
	w.failed++
	if w.firstError == "" {
		w.firstError = err.Error()
	}
}

// get makes req and reads the answer's body to its end, returning its
// status and the bytes read.
func get(client *http.Client, req *http.Request) (int, int64, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, n, err
}

// histogram counts latencies in bounded memory, in log-linear buckets:
// exact below 128ns, then 128 buckets for each power of two, each no
// wider than 1/128 (0.8%) of its values, up to histogramMax.
type histogram struct {
	counts [histogramBuckets]int64
	total  int64
	max    int64 // nanoseconds
}

const (
	histogramSubBits = 7 // 128 buckets per power of two
	histogramSub     = 1 << histogramSubBits
	// histogramMax is the highest latency told apart; longer ones count as
	// it.
	histogramMax = int64(60 * time.Second)
	// histogramBuckets holds the exact values below 128ns and 128 buckets
	// for each power of two from 2^7 to 2^35 nanoseconds (34s): 60s is
	// below 2^36.
	histogramBuckets = histogramSub + (36-histogramSubBits)*histogramSub
)

// bucket returns the index of the bucket of v nanoseconds.
func bucket(v int64) int {
	if v < histogramSub {
		return int(max(v, 0))
	}
	shift := bits.Len64(uint64(v)) - 1 - histogramSubBits
	return (shift+1)*histogramSub + int(v>>shift) - histogramSub
}

// bucketTop returns the highest value of the bucket i, in nanoseconds.
func bucketTop(i int) int64 {
	if i < histogramSub {
		return int64(i)
	}
	shift := i/histogramSub - 1
	mantissa := int64(i%histogramSub + histogramSub)
	return (mantissa+1)<<shift - 1
}

// record counts a latency.
func (h *histogram) record(d time.Duration) {
	v := min(int64(d), histogramMax)
	h.counts[bucket(v)]++
	h.total++
	h.max = max(h.max, v)
}

// merge adds the counts of o.
func (h *histogram) merge(o *histogram) {
	for i, n := range o.counts {
		h.counts[i] += n
	}
	h.total += o.total
	h.max = max(h.max, o.max)
}

// quantile returns the highest value of the bucket that holds the
// fraction q of the counts, no more than the maximum recorded.
func (h *histogram) quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := max(1, int64(q*float64(h.total)+0.5))
	var seen int64
	for i, n := range h.counts {
		if seen += n; seen >= rank {
			return time.Duration(min(bucketTop(i), h.max))
		}
	}
	return time.Duration(h.max)
}
