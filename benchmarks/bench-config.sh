#!/bin/sh
# bench-config.sh measures config.Load against caarlos0/env, go-envconfig,
# envconfig and a hand-written loader (BenchmarkLoad), and config.Describe
# (BenchmarkDescribe), then summarises the runs with benchstat: first the
# medians of every sub-benchmark, then twelvekit compared with each peer
# (the peer is the base; "vs base" is twelvekit's difference to it).
#
# Usage: ./bench-config.sh [output file]   (default /tmp/config-bench.txt)
# COUNT sets the number of runs (default 6).
set -eu

cd "$(dirname "$0")"
out=${1:-/tmp/config-bench.txt}
count=${COUNT:-6}
benchstat="go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

# The equivalent of go test -count "$count", but one pass over every
# sub-benchmark at a time: -count repeats each sub-benchmark back to back, so
# a burst of load from another process lands on one loader only; passes
# spread it over all of them.
bin=$(mktemp)
keyed=$(mktemp)
trap 'rm -f "$bin" "$keyed"' EXIT
go version
# caarlos0/env, and so config.Load, copies the whole process environment
# into a map on every call, so their cost grows with its size.
echo "process environment: $(env | wc -l) variables"
go test -c -o "$bin" .
: >"$out"
i=0
while [ "$i" -lt "$count" ]; do
	"$bin" -test.run '^$' -test.bench 'BenchmarkLoad|BenchmarkDescribe' -test.benchmem | tee -a "$out"
	i=$((i + 1))
done

echo
echo "== medians"
$benchstat "$out"

# Sub-benchmark names are plain ("Load/caarlos0"); benchstat selects
# columns by key=value names, so name the loader "lib=" in a copy.
sed -E 's#^BenchmarkLoad/([a-z0-9]+)-#BenchmarkLoad/lib=\1-#' "$out" >"$keyed"
for peer in caarlos0 sethvargo kelseyhightower handwritten; do
	echo
	echo "== twelvekit against $peer (base)"
	$benchstat -filter ".name:Load /lib:($peer OR twelvekit)" -col "/lib@($peer twelvekit)" "$keyed"
done
