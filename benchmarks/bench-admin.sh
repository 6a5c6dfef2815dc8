#!/bin/sh
# bench-admin.sh measures a one-off admin task from exec to exit
# (BenchmarkAdminTask: a bare Go program, the same linking net/http and zap,
# and a twelvekit admin App), the library's in-process share of a run
# (BenchmarkAdminRunInProcess) and help rendering with 20 commands
# (BenchmarkAdminHelp), then summarises the passes with benchstat: medians,
# then twelvekit against bare and against linked (the base).
#
# Usage: ./bench-admin.sh [output file]   (default /tmp/admin-bench.txt)
# COUNT sets the number of passes (default 20).
set -eu

cd "$(dirname "$0")"
out=${1:-/tmp/admin-bench.txt}
count=${COUNT:-20}
benchstat="go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

bin=$(mktemp)
keyed=$(mktemp)
trap 'rm -f "$bin" "$keyed"' EXIT
go version
go test -c -o "$bin" .
: >"$out"
i=0
while [ "$i" -lt "$count" ]; do
	# One pass over every variant at a time, so a burst of load from another
	# process does not land on one variant only.
	"$bin" -test.run '^$' -test.bench 'BenchmarkAdmin' -test.benchmem -test.benchtime 200x | tee -a "$out"
	i=$((i + 1))
done

echo
echo "== medians"
$benchstat "$out"

sed -E 's#^BenchmarkAdminTask/([a-z0-9]+)-#BenchmarkAdminTask/prog=\1-#' "$out" >"$keyed"
for base in bare linked; do
	echo
	echo "== twelvekit against $base (base)"
	$benchstat -filter ".name:AdminTask /prog:($base OR twelvekit)" -col "/prog@($base twelvekit)" "$keyed"
done
