#!/bin/sh
# bench-backing.sh measures backing.Parse against net/url.Parse (the floor),
# xo/dburl.Parse, go-redis ParseURL and pgconn.ParseConfig on the same URLs
# (BenchmarkParseURL), then summarises the runs with benchstat: the medians,
# then each peer against twelvekit per family.
#
# Usage: ./bench-backing.sh [output file]   (default /tmp/backing-bench.txt)
# COUNT sets the number of runs (default 6).
set -eu

cd "$(dirname "$0")"
out=${1:-/tmp/backing-bench.txt}
count=${COUNT:-6}
benchstat="go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

go version
go test -run '^$' -bench 'BenchmarkParseURL' -benchmem -count "$count" . | tee "$out"

echo
echo "== medians"
$benchstat "$out"
echo
echo "== by library (rows: family; columns: library)"
$benchstat -col /lib -row /family "$out"
