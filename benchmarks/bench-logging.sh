#!/bin/sh
# bench-logging.sh measures the logging package against the loggers and
# middlewares a team would otherwise use: BenchmarkLoggingZap (logging.New
# against a hand-built zap production core, and that core made to write the
# same output; zerolog for orientation), BenchmarkLoggingSlog
# (logging.NewSlog against slog.NewJSONHandler, zapslog and zap called
# directly), BenchmarkLoggingSlogDisabled (a debug call below the level) and
# BenchmarkLoggingMiddleware (logging.Middleware against a bare ServeMux, a
# minimal hand-written zap middleware, the same logging the same fields, with
# and without a traceparent, and chi's RequestLogger). BenchmarkLoggingPaired
# runs the variants of each target in interleaved rounds timed by the
# thread's CPU clock and reports the median of their per-round ratios with
# the half width of its 95 % confidence interval (NAME-ci, a fraction), which
# stay steady on a busy machine where separate runs do not; cmp=slogctx is
# the slog handler with a request's context. BenchmarkLoggingHTTP is a load
# run over loopback (a Go client, 8 connections) of bare, minimal-middleware
# and twelvekit servers in interleaved rounds: req/s and p99 latency. The script prints the medians,
# benchstat's comparisons with each peer as the base, the paired ratios, and
# the middleware's cost over the bare handler as a ratio to the minimal
# middleware's.
#
# Usage: ./bench-logging.sh [output file]   (default /tmp/logging-bench.txt)
# COUNT sets the number of runs (default 6).
set -eu

cd "$(dirname "$0")"
out=${1:-/tmp/logging-bench.txt}
count=${COUNT:-6}
benchstat="go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

# The equivalent of go test -count "$count", but one pass over every
# sub-benchmark at a time, so that a burst of load from another process is
# spread over all of them instead of landing on one.
bin=$(mktemp)
trap 'rm -f "$bin"' EXIT
go version
go test -c -o "$bin" .
: >"$out"
i=0
while [ "$i" -lt "$count" ]; do
	"$bin" -test.run '^$' -test.bench '^BenchmarkLogging(Zap|Slog|SlogDisabled|Middleware|Paired)$' -test.benchmem | tee -a "$out"
	i=$((i + 1))
done

echo
echo "== HTTP load over loopback (LOGGING_LOAD_ROUND=${LOGGING_LOAD_ROUND:-500ms} x ${LOGGING_LOAD_ROUNDS:-20} rounds)"
LOGGING_LOAD_ROUND=${LOGGING_LOAD_ROUND:-500ms} LOGGING_LOAD_ROUNDS=${LOGGING_LOAD_ROUNDS:-20} \
	"$bin" -test.run '^$' -test.bench '^BenchmarkLoggingHTTP$' -test.benchtime 1x | tee -a "$out"

echo
echo "== medians"
$benchstat -filter '-.name:/LoggingPaired|LoggingHTTP/' "$out"

compare() { # compare NAME BASE OTHER
	echo
	echo "== $1: $3 against $2 (base)"
	$benchstat -filter ".name:$1" -col "/${2%%=*}@(${2#*=} ${3#*=})" "$out"
}
compare LoggingZap lib=zap lib=twelvekit
compare LoggingZap lib=zapsame lib=twelvekit
compare LoggingSlog lib=zap lib=twelvekit
compare LoggingSlog lib=zapnew lib=twelvekit
compare LoggingSlog lib=slogjson lib=twelvekit
compare LoggingSlog lib=zapslog lib=twelvekit
compare LoggingSlog lib=slogjson lib=twelvekit-ctx
compare LoggingSlogDisabled lib=slogjson lib=twelvekit
compare LoggingMiddleware mw=minimal mw=twelvekit
compare LoggingMiddleware mw=samefields mw=twelvekit
compare LoggingMiddleware mw=samefields-trace mw=twelvekit-trace
compare LoggingMiddleware mw=chi mw=twelvekit

echo
echo "== paired ratios (variants interleaved in one run; see BenchmarkLoggingPaired)"
$benchstat -filter '.name:/LoggingPaired/ .unit:/x-/' "$out"

# What each middleware adds to the bare handler, from the medians of wall
# time and of thread CPU time.
echo
echo "== middleware cost over the bare handler (medians)"
awk '
/^BenchmarkLoggingMiddleware\// {
	split($1, p, "="); name = p[2]; sub(/-[0-9]+$/, "", name)
	k = ++n[name]
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ns/op") t[name, k] = $i
		if ($(i+1) == "cpu-ns/op") c[name, k] = $i
		if ($(i+1) == "allocs/op") a[name] = $i
	}
}
function median(arr, name,   i, j, k, v, m) {
	m = n[name]
	for (i = 1; i <= m; i++) v[i] = arr[name, i] + 0
	for (i = 2; i <= m; i++) { k = v[i]; for (j = i - 1; j >= 1 && v[j] > k; j--) v[j+1] = v[j]; v[j+1] = k }
	return m % 2 ? v[(m+1)/2] : (v[m/2] + v[m/2+1]) / 2
}
END {
	printf "%-22s %9s %9s %9s %9s %9s %9s %8s\n", "middleware", "ns/op", "added", "ratio", "cpu-ns/op", "added", "ratio", "+allocs"
	bt = median(t, "bare"); bc = median(c, "bare")
	mt = median(t, "minimal") - bt; mc = median(c, "minimal") - bc
	split("minimal samefields twelvekit twelvekit-incomingid samefields-trace twelvekit-trace chi", order, " ")
	for (i = 1; i <= 7; i++) {
		m = order[i]
		at = median(t, m) - bt; ac = median(c, m) - bc
		printf "%-22s %9.0f %9.0f %8.2fx %9.0f %9.0f %8.2fx %8d\n", m, median(t, m), at, at / mt, median(c, m), ac, ac / mc, a[m] - a["bare"]
	}
	print "(added: over the bare handler; ratio: added / the minimal middleware'"'"'s added)"
}' "$out"
