package bench

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Wrk loads o.URL as Load does, with wrk (github.com/wg/wrk) at path
// instead: two threads, o.Connections connections, for o.Duration. wrk
// costs the two cores it shares with the server a fraction of what a Go
// client does, so its figures are closer to what the server can serve.
// Its percentiles are those wrk prints (50, 75, 90, 99).
func Wrk(ctx context.Context, path string, o LoadOptions) (LoadResult, error) {
	o = o.withDefaults()
	args := []string{"-t2", "-c" + strconv.Itoa(o.Connections), "-d" + o.Duration.String(),
		"--timeout", o.Timeout.String(), "--latency"}
	for k, vs := range o.Header {
		for _, v := range vs {
			args = append(args, "-H", k+": "+v)
		}
	}
	out, err := exec.CommandContext(ctx, path, append(args, o.URL)...).CombinedOutput()
	if err != nil {
		return LoadResult{}, fmt.Errorf("wrk %s: %v: %s", o.URL, err, out)
	}
	r, err := parseWrk(string(out))
	if err != nil {
		return r, fmt.Errorf("wrk %s: %w:\n%s", o.URL, err, out)
	}
	return r, nil
}

var (
	wrkTotal     = regexp.MustCompile(`(\d+) requests in ([\d.]+\w+), ([\d.]+)(\w+) read`)
	wrkQuantile  = regexp.MustCompile(`(?m)^\s+(50|75|90|99)%\s+([\d.]+\w+)\s*$`)
	wrkMax       = regexp.MustCompile(`(?m)^\s+Latency\s+\S+\s+\S+\s+([\d.]+\w+)`)
	wrkNon2xx    = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSocketErr = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// parseWrk reads wrk --latency's report into a LoadResult.
func parseWrk(out string) (LoadResult, error) {
	var r LoadResult
	m := wrkTotal.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no request count in wrk's report")
	}
	r.Requests, _ = strconv.ParseInt(m[1], 10, 64)
	elapsed, err := time.ParseDuration(m[2])
	if err != nil {
		return r, fmt.Errorf("wrk's elapsed time %q: %w", m[2], err)
	}
	r.Elapsed = elapsed
	r.Bytes = wrkBytes(m[3], m[4])
	r.quantiles = map[float64]time.Duration{}
	for _, q := range wrkQuantile.FindAllStringSubmatch(out, -1) {
		p, _ := strconv.ParseFloat(q[1], 64)
		d, err := wrkDuration(q[2])
		if err != nil {
			return r, err
		}
		r.quantiles[p/100] = d
	}
	if m := wrkMax.FindStringSubmatch(out); m != nil {
		r.max, _ = wrkDuration(m[1])
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		r.Non2xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := wrkSocketErr.FindStringSubmatch(out); m != nil {
		for _, v := range m[1:] {
			n, _ := strconv.ParseInt(v, 10, 64)
			r.Failed += n
		}
		r.FirstError = strings.TrimSpace(m[0])
	}
	r.OK = r.Requests - r.Non2xx
	return r, nil
}

// wrkDuration reads one of wrk's latencies: 812.00us, 4.26ms, 1.20s, 2.00m.
func wrkDuration(v string) (time.Duration, error) {
	if s, ok := strings.CutSuffix(v, "m"); ok && !strings.HasSuffix(v, "ms") {
		f, err := strconv.ParseFloat(s, 64)
		return time.Duration(f * float64(time.Minute)), err
	}
	d, err := time.ParseDuration(strings.Replace(v, "us", "µs", 1))
	if err != nil {
		return 0, fmt.Errorf("wrk's latency %q: %w", v, err)
	}
	return d, nil
}

// wrkBytes reads wrk's amount read: 2.38MB, 512.00KB, 3.10GB.
func wrkBytes(v, unit string) int64 {
	f, _ := strconv.ParseFloat(v, 64)
	scale := map[string]float64{"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}[unit]
	return int64(f * scale)
}
