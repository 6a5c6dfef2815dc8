#!/usr/bin/env bash
# benchmarks/run.sh regenerates every generated table of benchmarks/README.md
# (between <!-- run.sh:begin --> and <!-- run.sh:end -->) and the summary
# table of the root README.md (between <!-- perf:begin --> and
# <!-- perf:end -->) from scratch:
#
#   - micro-benchmarks (BenchmarkPaired, BenchmarkScaling): twelvekit and its
#     fair peer in paired, interleaved rounds, each turn timed by the
#     benchmark thread's CPU clock (cputime_test.go); PASSES passes, each
#     giving the median per-round ratio and its 95 % confidence interval;
#   - whole processes (BenchmarkAdminTask, BenchmarkLifecycleProcess): static,
#     stripped builds on both sides run in interleaved rounds;
#   - sizes of stripped static builds, what each package adds to
#     examples/hello over the hand-glued peer (go tool nm -size), and the
#     init time of both (GODEBUG=inittrace=1).
#
# Every row names its peer, its target and its verdict. It records the
# machine, the Go version and the date, and takes about 2 minutes on 2
# cores. Raw results stay in $OUT (default /tmp/twelvekit-bench).
#
# Usage: benchmarks/run.sh            (PASSES=5 ROUNDS=200 PROC_ROUNDS=100 SCALE_ROUNDS=60 by default)
#        NOWRITE=1 benchmarks/run.sh  (print the tables, leave the READMEs alone)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$here"
passes=${PASSES:-5}
rounds=${ROUNDS:-200}
proc_rounds=${PROC_ROUNDS:-100}
scale_rounds=${SCALE_ROUNDS:-60}
out=${OUT:-/tmp/twelvekit-bench}
rm -rf "$out"
mkdir -p "$out/bin"
started=$(date +%s)

log() { echo "run.sh [$(($(date +%s) - started)) s] $*" >&2; }

# ---- the machine -----------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || uname -m)
machine="$(nproc) cores ($cpu), $(go env GOOS)/$(go env GOARCH), $(go version | awk '{ print $3 }'), $(date -u '+%Y-%m-%d %H:%M UTC')"
load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git -C "$root" status --porcelain -- . ../config ../logging ../lifecycle ../backing ../admin ../internal ../examples/hello 2>/dev/null)" ]; then
  commit="$commit plus uncommitted changes"
fi
log "machine: $machine; load $load_start; commit $commit"

# ---- builds ----------------------------------------------------------------
export CGO_ENABLED=0 # static on both sides of every comparison
export LC_ALL=C       # sort and join agree; awk prints numbers with a dot
log "building the test binary and the programs (static, stripped)"
go test -c -o "$out/bench.test" .
build() { # build NAME MODULEDIR PKG [unstripped]
  local flags=(-trimpath -ldflags=-s\ -w)
  [ "${4:-}" = unstripped ] && flags=(-trimpath)
  (cd "$2" && go build "${flags[@]}" -o "$out/bin/$1" "./$3")
}
build hello "$root" examples/hello
build hello.sym "$root" examples/hello unstripped
build service "$here" admin/service
build service.sym "$here" admin/service unstripped
build task "$here" admin/task
build linked "$here" admin/linked
build bare "$here" admin/bare
build lc-bare "$here/lifecycle" bare
build lc-lifecycle "$here/lifecycle" lifecycle
build lc-full "$here/lifecycle" full

# ---- interleaved passes ----------------------------------------------------
bench() { # bench FILE REGEXP BENCHTIME; a failing benchmark leaves its rows "not measured"
  if ! (cd "$here" && "$out/bench.test" -test.run '^$' -test.bench "$2" -test.benchtime "$3" -test.timeout 30m) >>"$out/$1" 2>"$out/$1.err"; then
    log "FAILED: $2 (see $out/$1 and $out/$1.err); its rows say not measured"
    cat "$out/$1.err" >&2
  fi
}
for p in $(seq "$passes"); do
  log "pass $p of $passes: micro-benchmarks"
  bench paired.txt '^BenchmarkPaired$' "${rounds}x"
  log "pass $p of $passes: whole processes"
  bench process.txt '^(BenchmarkAdminTask|BenchmarkLifecycleProcess)$' "${proc_rounds}x"
  if [ "$p" -le 3 ]; then
    log "pass $p of 3: scaling"
    bench scaling.txt '^BenchmarkScaling$' "${scale_rounds}x"
  fi
done
if grep -qs '^func BenchmarkProcesstest' ./*_test.go; then
  log "processtest load generator"
  for _ in 1 2 3; do bench processtest.txt '^BenchmarkProcesstest' 1x || true; done
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# summary: one line per benchmark and metric: name unit median min max n
touch "$out/processtest.txt"
cat "$out"/paired.txt "$out"/process.txt "$out"/scaling.txt "$out"/processtest.txt |
  awk '/^Benchmark/ {
    name = $1; sub(/-[0-9]+$/, "", name)
    for (i = 3; i + 1 <= NF; i += 2) { k = name " " $(i + 1); v[k] = v[k] " " $i; n[k]++ }
  }
  END {
    for (k in v) {
      c = split(substr(v[k], 2), xs, " ")
      for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (xs[j] + 0 < xs[i] + 0) { t = xs[i]; xs[i] = xs[j]; xs[j] = t }
      med = (c % 2) ? xs[(c + 1) / 2] : (xs[c / 2] + xs[c / 2 + 1]) / 2
      print k, med, xs[1], xs[c], c
    }
  }' | sort >"$out/summary.txt"

# get NAME UNIT [median|min|max]
get() {
  awk -v n="$1" -v u="$2" -v f="${3:-median}" '$1 == n && $2 == u { print (f == "min" ? $4 : f == "max" ? $5 : $3); found = 1 } END { if (!found) print "nan" }' "$out/summary.txt"
}
# calc FORMAT EXPR...: printf FORMAT with each awk expression; "nan" stays nan
calc() {
  local f=$1
  shift
  case "$*" in *nan* | *NaN*)
    printf 'n/a'
    return
    ;;
  esac
  awk "BEGIN { printf \"$f\"$(printf ', %s' "$@") }"
}

# ratio NAME PEER: "1.03x ± 2 % (passes 1.01-1.05)"
ratio() {
  local m lo hi ci
  m=$(get "$1" "x-$2") lo=$(get "$1" "x-$2" min) hi=$(get "$1" "x-$2" max) ci=$(get "$1" "x-$2-ci")
  calc "%.3fx ± %.0f %% (%.3f-%.3f)" "$m" "$ci * 100" "$lo" "$hi"
}
# verdict VALUE OP LIMIT: met / **missed**
verdict() {
  case $1 in nan | NaN | "") echo "**not measured**"; return ;; esac
  if awk -v v="$1" -v l="$3" "BEGIN { exit !(v $2 l) }"; then echo met; else echo "**missed**"; fi
}
# emit TARGET PEER RESULT VERDICT: one row of the root README's summary
emit() { echo "| $1 | $2 | $3 | $4 |" >>"$out/summary.rows"; }
: >"$out/summary.rows"
ns() { calc "%.0f ns" "$(get "$1" "$2-ns/op")"; }
allocs() { calc "%.0f" "$(get "$1" "$2-allocs/op")"; }

# ---- micro-benchmark targets -------------------------------------------------
micro=$out/micro.md
{
  echo "| target (issue) | twelvekit | peer | ratio, median of $passes passes ± 95 % CI (range of passes) | allocs (twelvekit / peer) | verdict |"
  echo "| --- | --- | --- | --- | --- | --- |"
  row() { # row NAME PEER LABEL PEERLABEL LIMIT
    local x v
    x=$(get "$1" "x-$2")
    v="$(verdict "$x" "<=" "$5") (≤ $5x)"
    echo "| $3 | $(ns "$1" twelvekit) | $4 $(ns "$1" "$2") | $(ratio "$1" "$2") | $(allocs "$1" twelvekit) / $(allocs "$1" "$2") | $v |"
    emit "$3" "$4" "$(calc "%.3fx" "$x")" "$v"
  }
  row BenchmarkPaired/config=map caarlos0 "config.Load with an environment map within 1.05x (15)" "caarlos0/env ParseWithOptions" 1.05
  row BenchmarkPaired/config=process caarlos0 "config.Load[T]() on the process environment within 1.05x (15)" "caarlos0/env Parse" 1.05
  for id in incomingid newid; do
    n=BenchmarkPaired/logging=middleware-$id
    x=$(get "$n" x-handwritten)
    extra=$(calc "%.0f" "$(get "$n" twelvekit-allocs/op) - $(get "$n" bare-allocs/op)")
    v=$(verdict "$x" "<=" 1.1)
    [ "$extra" -le 3 ] || v="**missed** (+$extra allocs)"
    echo "| logging.Middleware within 1.1x, ≤ +3 allocs over bare ($id) (12) | $(ns "$n" twelvekit) | hand-written 9-field zap middleware $(ns "$n" handwritten) | $(ratio "$n" handwritten) | $(allocs "$n" twelvekit) / $(allocs "$n" handwritten); +$extra over bare ($(allocs "$n" bare)) | $v (≤ 1.1x) |"
    emit "logging.Middleware within 1.1x, ≤ +3 allocs over bare ($id) (12)" "hand-written 9-field zap middleware" "$(calc "%.3fx" "$x"), +$extra allocs" "$v (≤ 1.1x)"
  done
  row BenchmarkPaired/logging=slog slogjson "logging.NewSlog faster than slog.NewJSONHandler (12)" "slog.NewJSONHandler" 1
  for f in postgres mysql redis amqp mqtt nats; do
    row "BenchmarkPaired/backing=$f" neturl "backing.Parse $f within 2x net/url.Parse (10)" "net/url.Parse" 2
  done
  n=BenchmarkPaired/admin=inprocess
  us=$(calc "%.1f" "$(get "$n" twelvekit-ns/op) / 1000")
  echo "| admin task run in process under 0.1 ms (13) | $us µs | (absolute) | | $(allocs "$n" twelvekit) | $(verdict "$us" "<" 100) (< 100 µs) |"
  emit "admin task run in process under 0.1 ms (13)" "(absolute)" "$us µs" "$(verdict "$us" "<" 100)"
  if [ -s "$out/processtest.txt" ]; then
    rps=$(awk '/^BenchmarkProcesstest/ { for (i = 3; i + 1 <= NF; i += 2) if ($(i + 1) == "req/s" || $(i + 1) == "kit-req/s") print $i }' "$out/processtest.txt" | sort -n | awk '{ a[NR] = $1 } END { print (NR ? a[int((NR + 1) / 2)] : "nan") }')
    echo "| processtest load generator ≥ 2,000 req/s (14) | $rps req/s | (absolute) | | | $(verdict "$rps" ">=" 2000) (≥ 2,000) |"
    emit "processtest load generator ≥ 2,000 req/s (14)" "(absolute)" "$rps req/s" "$(verdict "$rps" ">=" 2000)"
  else
    echo "| processtest load generator ≥ 2,000 req/s (14) | no BenchmarkProcesstest in benchmarks/ yet | | | | **not measured** |"
    emit "processtest load generator ≥ 2,000 req/s (14)" "(absolute)" "no benchmark yet" "**not measured**"
  fi
} >"$micro"

# ---- whole processes -----------------------------------------------------------
ms() { calc "%.2f ms" "$(get "$1" "$2")"; }
proc=$out/process.md
{
  echo "| target (issue) | twelvekit | peer | wall ratio, median ± 95 % CI (range of passes) | CPU ratio | verdict |"
  echo "| --- | --- | --- | --- | --- | --- |"
  n=BenchmarkAdminTask
  x=$(get $n x-service)
  emit "admin task, exec to exit, within 1.1x (13)" "hand-written service binary (caarlos0/env, zap, oklog/run, net/http), static" "$(calc "%.3fx" "$x")" "$(verdict "$x" "<=" 1.1)"
  echo "| admin task, exec to exit, within 1.1x (13) | $(ms $n twelvekit-ms) | hand-written service (caarlos0/env, zap, oklog/run, net/http) $(ms $n service-ms) | $(ratio $n service) | $(calc "%.3fx" "$(get $n x-service-cpu)") | $(verdict "$x" "<=" 1.1) (≤ 1.1x) |"
  echo "| (old peer, for orientation) | | links net/http and zap without using them $(ms $n linked-ms) | $(ratio $n linked) | $(calc "%.3fx" "$(get $n x-linked-cpu)") | |"
  echo "| (floor) | | bare Go program $(ms $n bare-ms) | $(ratio $n bare) | $(calc "%.3fx" "$(get $n x-bare-cpu)") | |"
  n=BenchmarkLifecycleProcess
  x=$(get $n x-bare)
  emit "lifecycle, exec to accepting, within 1.1x (11)" "bare net/http, static" "$(calc "%.3fx" "$x")" "$(verdict "$x" "<=" 1.1)"
  echo "| lifecycle, exec to accepting, within 1.1x (11) | $(ms $n lifecycle-ms) | bare net/http $(ms $n bare-ms) | $(ratio $n bare) | $(calc "%.3fx" "$(get $n x-bare-cpu)") | $(verdict "$x" "<=" 1.1) (≤ 1.1x) |"
  x=$(get $n x-bare-stop)
  emit "lifecycle, SIGTERM to exit (idle, no drain) within 1.3x (11)" "bare net/http, static" "$(calc "%.3fx" "$x")" "$(verdict "$x" "<=" 1.3)"
  echo "| lifecycle, SIGTERM to exit (idle, no drain) within 1.3x (11) | $(ms $n lifecycle-stop-ms) | bare net/http $(ms $n bare-stop-ms) | $(ratio $n bare-stop) | | $(verdict "$x" "<=" 1.3) (≤ 1.3x) |"
} >"$proc"

# ---- scaling -------------------------------------------------------------------
scale=$out/scaling.md
{
  echo "| curve | n | twelvekit | peer | peer per op | ratio ± 95 % CI (range of passes) |"
  echo "| --- | ---: | ---: | --- | ---: | --- |"
  srow() { # srow CURVE N PEER PEERLABEL
    local n="BenchmarkScaling/$1/n=$2"
    echo "| $1 | $2 | $(ns "$n" twelvekit) | $4 | $(ns "$n" "$3") | $(ratio "$n" "$3") |"
  }
  for n in 10 30 100 300; do srow config=fields $n caarlos0 "caarlos0/env"; done
  for n in 1 4 16 64; do srow logging=goroutines $n zap "zap production core"; done
  for n in 1 10 100 1000; do srow lifecycle=actors $n oklogrun "oklog/run"; done
  for n in 10 100 1000; do srow backing=attached $n handwritten "loop over *_URL with net/url"; done
} >"$scale"

# ---- sizes, weight, init time ----------------------------------------------------
size() { wc -c <"$out/bin/$1" | tr -d ' '; }
mb() { calc "%.2f MB" "$1/1e6"; }
sizes=$out/sizes.md
{
  echo "| program | stripped static size | peer | peer size | added | target | verdict |"
  echo "| --- | ---: | --- | ---: | ---: | --- | --- |"
  srow() { # srow BIN LABEL PEERBIN PEERLABEL LIMIT_MB
    local s p d v="" t=""
    s=$(size "$1") p=$(size "$3")
    d=$(calc "%.2f" "($s-$p)/1e6")
    if [ -n "$5" ]; then t="≤ +$5 MB"; v=$(verdict "$d" "<=" "$5"); fi
    echo "| $2 | $(mb "$s") | $4 | $(mb "$p") | +$d MB | $t | $v |"
    if [ "$1" = hello ] && [ "$3" = service ]; then
      emit "examples/hello stripped static size at most +0.5 MB (16)" "$4, $(mb "$p")" "+$d MB" "$v"
    fi
  }
  srow hello "examples/hello" service "hand-glued service (admin/service)" 0.5
  srow task "admin task (admin/task)" service "hand-glued service (admin/service)" ""
  srow lc-lifecycle "lifecycle alone (benchmarks/lifecycle)" lc-bare "bare net/http" 1
  srow lc-full "config + logging + lifecycle" lc-bare "bare net/http" ""
  srow hello "examples/hello" lc-bare "bare net/http" ""
} >"$sizes"

# weight: bytes of text and data symbols per package, hello minus the peer
nmpkg() {
  go tool nm -size "$out/bin/$1" | awk '$3 !~ /^[bBU]$/ {
    s = $4; if (s ~ /^go:func\./) s = "(func metadata)."
    sub(/^(type:|go:itab\.|go:string\.|go:)/, "", s); sub(/^\*+/, "", s); sub(/\[.*/, "", s)
    i = match(s, /\/[^\/]*$/); base = i ? substr(s, 1, i) : ""; rest = i ? substr(s, i + 1) : s
    j = index(rest, "."); pkg = base (j ? substr(rest, 1, j - 1) : rest)
    if (pkg != "") sz[pkg] += $2
  } END { for (p in sz) print p, sz[p] }' | sort
}
nmpkg hello.sym >"$out/hello.pkgs"
nmpkg service.sym >"$out/service.pkgs"
weight=$out/weight.md
{
  echo "| package | in examples/hello | in the hand-glued peer | added |"
  echo "| --- | ---: | ---: | ---: |"
  join -a 1 -a 2 -e 0 -o 0,1.2,2.2 "$out/hello.pkgs" "$out/service.pkgs" |
    awk '{ d = $2 - $3; if (d > 8000 || d < -8000) printf "%d %s %d %d\n", d, $1, $2, $3 }' | sort -rn | head -25 |
    awk '{ printf "| `%s` | %.0f KB | %.0f KB | %+.0f KB |\n", $2, $3 / 1000, $4 / 1000, $1 / 1000 }'
} >"$weight"

# init time: sum of the "ms clock" of every package init, median of 21 runs
inittime() { # inittime BIN ARGS...
  local _
  for _ in $(seq 21); do
    { env -i PATH=/usr/bin:/bin PORT=not-a-port GODEBUG=inittrace=1 "$@" 2>&1 >/dev/null || true; } |
      awk '/^init / { for (k = 1; k + 2 <= NF; k++) if ($(k + 2) == "clock,") c += $k } END { printf "%.3f\n", c }'
  done | sort -n | awk '{ a[NR] = $1 } END { print a[11] }'
}
inittop() { # the five slowest package inits of one run
  { env -i PATH=/usr/bin:/bin PORT=not-a-port GODEBUG=inittrace=1 "$@" 2>&1 >/dev/null || true; } |
    awk '/^init / { for (k = 1; k + 2 <= NF; k++) if ($(k + 2) == "clock,") print $k, $2 }' | sort -rn | head -5 |
    awk '{ printf "%s`%s` %.3f ms", (NR > 1 ? ", " : ""), $2, $1 }'
}
init_hello=$(inittime "$out/bin/hello")
init_service=$(inittime "$out/bin/service" hello)
init_task=$(inittime "$out/bin/task" hello)
top_hello=$(inittop "$out/bin/hello")

elapsed=$(($(date +%s) - started))
log "done in $elapsed s; load $load_start at the start, $load_end at the end"

# ---- write the READMEs -------------------------------------------------------------
generated=$out/generated.md
{
  echo "<!-- run.sh:begin -->"
  echo "## All targets, generated by run.sh"
  echo
  echo "Generated by \`benchmarks/run.sh\` in $elapsed s at commit $commit on $machine;"
  echo "load average $load_start at the start and $load_end at the end (the machine is shared)."
  echo "Do not edit by hand: run the script. Raw results: \`$out\`."
  echo
  echo "Micro-benchmarks (\`BenchmarkPaired\` in [paired_test.go](paired_test.go)): twelvekit and its"
  echo "peer in interleaved rounds of ~2 ms turns ($rounds rounds a pass, $passes passes), each"
  echo "turn timed by the benchmark thread's CPU clock ([cputime_test.go](cputime_test.go));"
  echo "a ratio below 1 means twelvekit is cheaper. The ± is the median over passes of each pass's"
  echo "95 % confidence interval of its median ratio; the range is that of the $passes pass medians."
  echo
  cat "$micro"
  echo
  echo "Whole processes (\`BenchmarkAdminTask\` in [admin_test.go](admin_test.go), \`BenchmarkLifecycleProcess\`"
  echo "in [process_test.go](process_test.go)): every program built static and stripped"
  echo "(\`CGO_ENABLED=0\`, \`-trimpath -ldflags='-s -w'\`), one run of each per round in rotating"
  echo "order, $proc_rounds rounds a pass, $passes passes; wall time from exec to exit (tasks) or to"
  echo "the port accepting (servers), then SIGTERM to exit after 20 ms idle with \`DRAIN_DELAY=0\`."
  echo "The CPU ratio is the children's user+system time, which other processes do not inflate."
  echo
  cat "$proc"
  echo
  echo "### Scaling"
  echo
  echo "\`BenchmarkScaling\` ([scaling_test.go](scaling_test.go)), 3 passes of $scale_rounds rounds:"
  echo "config on a generated struct of n fields (string, int, duration, bool; half with defaults) and"
  echo "the same map; 512 events written by n goroutines (timed by the wall clock); a group of n actors"
  echo "started and stopped (wall clock); an environment of n variables, 4 of them attaching a service."
  echo
  cat "$scale"
  echo
  echo "### Binary size"
  echo
  cat "$sizes"
  echo
  echo "What examples/hello links beyond the hand-glued peer, by package (text and data symbols of"
  echo "unstripped static builds, \`go tool nm -size\`; differences over 8 KB, largest first):"
  echo
  cat "$weight"
  echo
  echo "Package initialisation (\`GODEBUG=inittrace=1\`, the sum of every package's init clock time,"
  echo "median of 21 runs): examples/hello $init_hello ms, admin/task $init_task ms, the hand-glued"
  echo "peer $init_service ms. Slowest inits of hello: $top_hello."
  echo "<!-- run.sh:end -->"
} >"$generated"

summary=$out/summary.md
{
  echo "<!-- perf:begin -->"
  echo "Generated by \`benchmarks/run.sh\` at commit $commit on $machine (shared; load"
  echo "$load_start to $load_end). Ratios are twelvekit over its fair peer, paired and interleaved,"
  echo "timed by the thread's CPU clock for micro-benchmarks; whole processes are static builds on both"
  echo "sides. Every row, the spreads and the scaling curves: [benchmarks/README.md](benchmarks/README.md)."
  echo
  echo "| target | peer | result | verdict |"
  echo "| --- | --- | --- | --- |"
  cat "$out/summary.rows"
  echo "| init time of examples/hello (16) | hand-glued peer $init_service ms | $init_hello ms | reported |"
  echo "<!-- perf:end -->"
} >"$summary"

cat "$generated"
echo
cat "$summary"

# replace BEGIN..END in FILE with the content of NEW (appended when absent)
splice() { # splice FILE NEW BEGIN END
  awk -v new="$2" -v b="$3" -v e="$4" '
    $0 == b { while ((getline l < new) > 0) print l; skip = 1; done = 1; next }
    $0 == e && skip { skip = 0; next }
    !skip { print }
    END { if (!done) { print ""; while ((getline l < new) > 0) print l } }' "$1" >"$1.new"
  mv "$1.new" "$1"
}
if [ -z "${NOWRITE:-}" ]; then
  splice "$here/README.md" "$generated" "<!-- run.sh:begin -->" "<!-- run.sh:end -->"
  splice "$root/README.md" "$summary" "<!-- perf:begin -->" "<!-- perf:end -->"
  log "wrote benchmarks/README.md and README.md"
fi
