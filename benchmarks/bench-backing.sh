#!/bin/sh
# bench-backing.sh measures backing.Parse against net/url.Parse per family,
# paired and interleaved and timed by the benchmark thread's CPU clock
# (BenchmarkParsePaired: x-neturl is Parse's time over net/url.Parse's, the
# median over rounds, x-neturl-ci its 95 % interval as a fraction; the
# target is x-neturl <= 2), then the side-by-side peers (BenchmarkParseURL:
# net/url, xo/dburl, go-redis ParseURL, pgconn.ParseConfig) summarised with
# benchstat.
#
# Usage: ./bench-backing.sh [output file]   (default /tmp/backing-bench.txt)
# COUNT sets the number of runs (default 6), ROUNDS the paired rounds per
# run (default 300).
set -eu

cd "$(dirname "$0")"
out=${1:-/tmp/backing-bench.txt}
count=${COUNT:-6}
rounds=${ROUNDS:-300}
benchstat="go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

go version
echo "== paired, interleaved: backing.Parse / net/url.Parse (x-neturl), per family"
go test -run '^$' -bench 'BenchmarkParsePaired' -benchtime "${rounds}x" -count "$count" . | tee "$out.paired"
awk '/^BenchmarkParsePaired/ {
	for (i = 1; i <= NF; i++) { if ($i == "x-neturl") r = $(i-1); if ($i == "x-neturl-ci") c = $(i-1); if ($i == "twelvekit-allocs/op") a = $(i-1) }
	name = $1; sub(/^BenchmarkParsePaired\/family=/, "", name); sub(/-[0-9]+$/, "", name)
	n[name]++; v[name, n[name]] = r; ci[name] = ci[name] " " c; al[name] = a
}
END {
	printf "%-16s %-28s %s\n", "family", "x-neturl per run (target <= 2)", "allocs/op"
	for (f in n) { s = ""; for (k = 1; k <= n[f]; k++) s = s " " v[f, k]; printf "%-16s %-28s %s\n", f, s, al[f] }
}' "$out.paired" | sort

echo
go test -run '^$' -bench 'BenchmarkParseURL' -benchmem -count "$count" . | tee "$out"
echo
echo "== medians"
$benchstat "$out"
echo
echo "== by library (rows: family; columns: library)"
$benchstat -col /lib -row /family "$out"
