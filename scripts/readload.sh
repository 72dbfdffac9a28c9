#!/bin/sh
# Read load with wrk (docs/performance.md, "Read load (wrk)"): runs
# `wrk -t2 -c64 -d30s --latency` against each path of a running server,
# keeps wrk's output in OUT_DIR, and prints one line per path: requests per
# second, p50, p99 and the error count (socket errors and non-2xx/3xx).
#
#   scripts/readload.sh http://127.0.0.1:8089 OUT_DIR /api/v1/codebases /campaigns/NAME ...
#
# DURATION, CONNECTIONS and THREADS override 30s, 64 and 2. TIMEOUT sets
# wrk's --timeout (2s, wrk's default): wrk counts a slower answer as a
# socket timeout and leaves it out of the percentiles.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: $0 BASE_URL OUT_DIR PATH..." >&2
	exit 2
fi
base=$1
out=$2
shift 2
mkdir -p "$out"
duration=${DURATION:-30s}
conns=${CONNECTIONS:-64}
threads=${THREADS:-2}
timeout=${TIMEOUT:-2s}

printf '%-60s %10s %9s %9s %s\n' route req/s p50 p99 errors
for path in "$@"; do
	file=$out/$(printf '%s' "$path" | tr -c 'A-Za-z0-9._-' '_').txt
	code=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
	if [ "$code" != 200 ]; then
		echo "$path: answers $code, not 200" >&2
		exit 1
	fi
	cat /proc/loadavg >"$file.loadavg"
	wrk -t"$threads" -c"$conns" -d"$duration" --timeout "$timeout" --latency "$base$path" >"$file"
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$file")
	p50=$(awk '$1 == "50%" {print $2}' "$file")
	p99=$(awk '$1 == "99%" {print $2}' "$file")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$file")
	socket=$(awk '/Socket errors:/ {s = 0; for (i = 4; i <= NF; i += 2) s += $i; print s}' "$file")
	printf '%-60s %10s %9s %9s non-2xx/3xx=%s socket=%s\n' "$path" "$rps" "$p50" "$p99" "${non2xx:-0}" "${socket:-0}"
done
