#!/bin/sh
# bench-admin.sh measures the admin targets alone (benchmarks/run.sh measures
# every target): BenchmarkAdminTask, a one-off task from exec to exit for
# twelvekit's admin App against the hand-written service binary (static,
# stripped builds on both sides, interleaved rounds; the former `linked` peer
# and a bare program as extra rows), BenchmarkPaired/admin=inprocess (the
# library's share of a run, by the thread's CPU clock) and BenchmarkAdminHelp.
# It prints each pass's metrics: x-service is twelvekit's wall time over the
# peer's (median of the rounds), x-service-cpu the same for CPU time.
#
# Usage: ./bench-admin.sh [output file]   (default /tmp/admin-bench.txt)
# PASSES sets the number of passes (default 5), ROUNDS the rounds a pass (100).
set -eu

cd "$(dirname "$0")"
out=${1:-/tmp/admin-bench.txt}
passes=${PASSES:-5}
rounds=${ROUNDS:-100}

bin=$(mktemp)
trap 'rm -f "$bin"' EXIT
go version
go test -c -o "$bin" .
: >"$out"
i=0
while [ "$i" -lt "$passes" ]; do
	"$bin" -test.run '^$' -test.bench '^BenchmarkAdminTask$' -test.benchtime "${rounds}x" | tee -a "$out"
	"$bin" -test.run '^$' -test.bench '^BenchmarkPaired$/^admin=inprocess$' -test.benchtime 200x | tee -a "$out"
	"$bin" -test.run '^$' -test.bench '^BenchmarkAdminHelp$' -test.benchmem | tee -a "$out"
	i=$((i + 1))
done
