#!/usr/bin/env bash
# bench.sh: lifecycle's process-boundary figures, against a bare net/http
# program doing the same job.
#
#   exec to accepting  time from exec until the port accepts a connection
#   SIGTERM to exit    time from SIGTERM until the process has exited, idle,
#                      with DRAIN_DELAY=0
#   binary size        stripped (-ldflags='-s -w', -trimpath)
#
# Programs: bare (net/http + signal.NotifyContext + Shutdown, by hand),
# lifecycle (the same on lifecycle alone) and full (config.Load + a zap JSON
# logger + lifecycle, as a twelvekit service is written). Medians of RUNS runs
# of each (default 30), interleaved. Load stays on loopback.
#
# Usage: benchmarks/lifecycle/bench.sh [runs]     (from anywhere)
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-${RUNS:-30}}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for p in bare lifecycle full; do
  go build -trimpath -ldflags='-s -w' -o "$tmp/$p" "./$p"
done
go build -o "$tmp/measure" ./measure

size() { stat -c %s "$1"; }
bare=$(size "$tmp/bare")
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3), $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| program | stripped size | added over bare |"
echo "| --- | ---: | ---: |"
for p in bare lifecycle full; do
  s=$(size "$tmp/$p")
  awk -v p="$p" -v s="$s" -v b="$bare" 'BEGIN { printf "| %s | %.2f MB | %+.2f MB (%+d bytes) |\n", p, s/1e6, (s-b)/1e6, s-b }'
done
echo
"$tmp/measure" -runs "$runs" "$tmp/bare" "$tmp/lifecycle" "$tmp/full"
