#!/usr/bin/env bash
# test.sh: the project's one test command. It checks the repository and every
# Go module in it (the root library and each sub-module, found by their go.mod):
#
#   repository  no tracked executable binary (ELF, Mach-O, PE, or git's
#               executable bit on a file that is not a #! script), no tracked
#               file over 1 MB, gofmt clean
#   per module  go mod download, go vet (each build the tests use), staticcheck,
#               go test -race -cover
#               (shuffled, uncached, fuzz seed corpora included; coverage per
#               package), and every benchmark once (-benchtime=1x, without
#               -race) so benchmarks keep compiling and running; it measures
#               nothing. Each step reuses what the one before compiled (see
#               check_module).
#
# On a new machine it installs what the tests need: the pinned staticcheck
# (go install) and, when missing, the programs the tests run as real peers
# (APT_TOOLS: apt-get, with sudo when not root). Nothing needs to be
# installed by hand beyond Go.
#
# Modules run JOBS at a time (default: two more than the cores); each module's
# output is kept together and printed when it is done, with every step's time.
# Any failing step fails the run.
#
# Usage: ./test.sh [module-dir...]   (default: every module)
set -euo pipefail

STATICCHECK_VERSION=v0.8.2 # staticcheck 2026.2.2, supports Go 1.26
MAX_FILE_BYTES=1048576     # a tracked file larger than this fails the run

root=$(cd "$(dirname "$0")" && pwd)
cd "$root"

start=$(date +%s.%N)
# cache says whether this run starts from a cold or a warm build cache (the
# targets: under 300 s cold, under 60 s warm, on 2 quiet cores): cold when
# the cache holds under 100 MB, as on a new machine.
cache=warm
gocache=$(go env GOCACHE)
if [ ! -d "$gocache" ] || [ "$(du -sm "$gocache" 2>/dev/null | cut -f1)" -lt 100 ]; then
  cache=cold
fi
# elapsed START prints the seconds since START (a date +%s.%N) with one decimal.
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

tmp=$(mktemp -d)
cleanup() {
  # Stop the background jobs this script started (installs, modules), if any
  # are still running after an interrupt, then remove the logs.
  local pids
  pids=$(jobs -pr)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086 # one pid per word
    kill $pids 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ $# -gt 0 ]; then
  modules=("$@")
else
  # The root module first (its tests run longest), then the modules whose
  # tests roll instances behind real balancers (they wait ~20 s on the
  # balancers' default checks, so they overlap the others' compiling),
  # then the others by the size of their go.sum, largest first: the modules
  # with the most to download and compile start early and do not end the
  # run alone.
  mapfile -t modules < <(
    find . -name go.mod -not -path '*/.*/*' -not -path '*/testdata/*' -printf '%h\n' |
      while read -r m; do
        if [ "$m" = . ]; then
          w=999999
        elif grep -qsl 'haproxy\|caddy' "$m"/*_test.go; then
          w=999998
        else
          w=$({ wc -l <"$m/go.sum"; } 2>/dev/null || echo 0)
        fi
        echo "$w $m"
      done | sort -k1,1nr -k2 | cut -d' ' -f2-
  )
fi

# ---- installs, in the background while the repository is checked ----------

gobin=$(go env GOPATH)/bin
staticcheck="$gobin/staticcheck"
install_staticcheck() {
  if "$staticcheck" -version 2>/dev/null | grep -q "(${STATICCHECK_VERSION#v})"; then
    echo "staticcheck $STATICCHECK_VERSION already installed"
    return
  fi
  echo "installing staticcheck $STATICCHECK_VERSION"
  GOBIN="$gobin" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
}

# APT_TOOLS are the Debian packages whose programs the tests run as real
# peers, as "command:package": haproxy and caddy for the rolling-restart
# tests behind real balancers (examples/rollout). Nothing is installed that
# no test uses.
APT_TOOLS=(haproxy:haproxy caddy:caddy)

install_tools() {
  local missing=() tool
  for tool in "${APT_TOOLS[@]}"; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "${APT_TOOLS[*]%%:*} already installed"
    return
  fi
  if ! command -v apt-get >/dev/null; then
    echo "warning: no apt-get; install ${missing[*]} by hand (tests that need them will fail)"
    return
  fi
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}"
}

# background STEP FUNC runs FUNC in the background, its output in $tmp/STEP.log
# and its exit status in $tmp/STEP.rc once done.
background() {
  (
    t=$(date +%s.%N)
    rc=0
    "$2" >"$tmp/$1.log" 2>&1 || rc=$?
    echo "($(elapsed "$t") s)" >>"$tmp/$1.log"
    echo "$rc" >"$tmp/$1.rc"
  ) &
}

# finished STEP waits (at most 15 minutes) for a background step and returns
# its exit status.
finished() {
  local i=0
  while [ ! -e "$tmp/$1.rc" ]; do
    i=$((i + 1))
    if [ "$i" -gt 4500 ]; then
      echo "FAIL: $1 did not finish within 15 minutes"
      return 1
    fi
    sleep 0.2
  done
  return "$(cat "$tmp/$1.rc")"
}

# await STEP waits for a background step, prints its output, and fails if it
# failed.
await() {
  local rc=0
  finished "$1" || rc=$?
  if [ "$rc" -ne 0 ]; then
    sed "s/^/    /" "$tmp/$1.log"
    echo "--- FAIL: $1 (exit $rc)"
  else
    # the first line says what was done, the last how long it took
    echo "--- $1: $(head -n 1 "$tmp/$1.log") $(tail -n 1 "$tmp/$1.log")"
  fi
  return "$rc"
}

# prefetch downloads every module's dependencies one module after the
# other, so that the network overlaps the compiling of the modules that
# run first (their own go mod download step then finds the cache filled).
prefetch() {
  local mod
  for mod in "${modules[@]}"; do
    (cd "$mod" && go mod download) || return
  done
  echo "downloaded the dependencies of ${#modules[@]} modules"
}

background staticcheck install_staticcheck
background tools install_tools
background prefetch prefetch

# ---- the repository -------------------------------------------------------

echo "==> repository"
t=$(date +%s.%N)
repo_ok=true
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Sizes in one pass; "total" is wc's own last line.
  while read -r size path; do
    if [ "$size" -gt "$MAX_FILE_BYTES" ] && [ "$path" != total ]; then
      echo "FAIL: $path is tracked and $size bytes (limit $MAX_FILE_BYTES)"
      repo_ok=false
    fi
  done < <(git ls-files -z | xargs -0 wc -c 2>/dev/null)
  # mode, object, stage, path for every tracked file; regular files only
  # (symbolic links are 120000, submodules 160000). The first bytes are
  # read by the shell itself (none of the magic numbers holds a NUL byte).
  while IFS= read -r -d '' entry; do
    meta=${entry%%$'\t'*}
    path=${entry#*$'\t'}
    mode=${meta%% *}
    case $mode in 100644 | 100755) ;; *) continue ;; esac
    [ -f "$path" ] || continue # deleted in the work tree
    magic=
    LC_ALL=C IFS= read -r -N 4 magic <"$path" || true
    case $magic in
    $'\x7fELF') kind="an ELF executable" ;;
    $'\xfe\xed\xfa\xce' | $'\xfe\xed\xfa\xcf' | $'\xce\xfa\xed\xfe' | $'\xcf\xfa\xed\xfe' | $'\xca\xfe\xba\xbe') kind="a Mach-O executable" ;;
    MZ*) kind="a PE (Windows) executable" ;;
    *) kind="" ;;
    esac
    if [ -n "$kind" ]; then
      echo "FAIL: $path is tracked and is $kind; remove it and ignore it in .gitignore"
      repo_ok=false
    elif [ "$mode" = 100755 ] && [ "${magic:0:2}" != '#!' ]; then
      echo "FAIL: $path is tracked as executable but is not a #! script (git update-index --chmod=-x $path)"
      repo_ok=false
    fi
  done < <(git ls-files -s -z)
  # gofmt: the Go files of the modules checked (all of them by default).
  specs=()
  for mod in "${modules[@]}"; do specs+=("${mod#./}/*.go"); done
  [ $# -gt 0 ] || specs=('*.go')
  unformatted=$(git ls-files -z -- "${specs[@]}" | xargs -0 -r gofmt -l)
  if [ -n "$unformatted" ]; then
    echo "FAIL: not gofmt'ed (run gofmt -w):"
    while read -r f; do echo "    $f"; done <<<"$unformatted"
    repo_ok=false
  fi
else
  echo "warning: not a git work tree; tracked files not checked"
fi
echo "--- tracked files and gofmt ($(elapsed "$t") s)"
$repo_ok || exit 1


# ---- the modules ----------------------------------------------------------

# step NAME COMMAND... runs one step of a module and prints its time.
step() {
  local name=$1 t rc=0
  shift
  t=$(date +%s.%N)
  "$@" || rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "--- $name ($(elapsed "$t") s)"
  else
    echo "--- FAIL: $name (exit $rc, $(elapsed "$t") s)"
  fi
  return "$rc"
}

# benchpkgs prints the module's packages that have a benchmark (in their own
# directory, not in a nested module).
benchpkgs() {
  go list -f '{{.Dir}}{{range .TestGoFiles}} {{.}}{{end}}{{range .XTestGoFiles}} {{.}}{{end}}' ./... |
    while read -r dir files; do
      [ -n "$files" ] || continue
      # shellcheck disable=SC2086 # file names have no spaces
      if (cd "$dir" && grep -qs '^func Benchmark' $files); then
        echo "$dir"
      fi
    done
}

# race_cover runs the module's tests once, with -race and -cover, shuffled
# and uncached. A failure fails the module: there is no second run, with
# other flags or another seed, that could turn it into a pass. The shuffle
# seed is printed by go test, so an order-dependent failure can be replayed
# with -shuffle=SEED.
#
# Most tests wait (for a process to start, drain or exit, for a balancer's
# checks) rather than compute, so more of them run at once than there are
# cores: PARALLEL tests of one package (go test -parallel, default 8) and
# PACKAGES test binaries of one module (go test -p, default 4).
race_cover() {
  go test -race -cover -vet=off -shuffle=on -count=1 -timeout=10m -p "${PACKAGES:-4}" -parallel "${PARALLEL:-8}" ./...
}

# norace_tests prints, for each of the module's packages that holds test
# files built only without the race detector (//go:build !race: checks that
# cannot run under -race, such as allocation counts), its directory and a
# -run pattern matching the tests, examples and fuzz targets of those files,
# so that only they run again without -race.
norace_tests() {
  go list -f '{{.Dir}}{{range .TestGoFiles}} {{.}}{{end}}{{range .XTestGoFiles}} {{.}}{{end}}' ./... |
    while read -r dir files; do
      [ -n "$files" ] || continue
      local names
      # shellcheck disable=SC2086 # file names have no spaces
      names=$(cd "$dir" && { grep -ls '^//go:build !race' $files || true; } | xargs -r sed -nE 's/^func ((Test|Example|Fuzz)[A-Za-z0-9_]*)\(.*/\1/p' | paste -sd'|')
      [ -z "$names" ] || echo "$dir ^($names)\$"
    done
}

# check_module DIR runs every step in DIR, stopping at the first failure.
# Every step reuses what the one before compiled: in a module without
# benchmarks, go vet and staticcheck type-check the -race build (staticcheck
# through GOFLAGS), which go test -race then finds compiled; in a module with
# benchmarks they check the plain build, which the benchmarks step reuses.
# go vet checks each build the module's tests use (-race always, plain too
# when benchmarks or !race files build without -race), so go test runs with
# -vet=off instead of checking the test packages a second time.
check_module() {
  cd "$1"
  step "go mod download" go mod download
  local pkgs norace race=() flags=${GOFLAGS:-}
  mapfile -t pkgs < <(benchpkgs)
  mapfile -t norace < <(norace_tests)
  if [ ${#pkgs[@]} -eq 0 ]; then
    race=(-race)
    flags="$flags -race"
  fi
  if [ ${#pkgs[@]} -gt 0 ] || [ ${#norace[@]} -gt 0 ]; then
    step "go vet" go vet ./...
  fi
  step "go vet -race" go vet -race ./...
  # The pinned staticcheck may still be installing on a new machine: wait
  # for it here, not before the module starts.
  finished staticcheck || { echo "--- FAIL: staticcheck was not installed (see the end of the output)"; return 1; }
  step "staticcheck${race:+ (-race build)}" env GOFLAGS="$flags" "$staticcheck" ./...
  # The programs of APT_TOOLS may still be installing on a new machine:
  # only a module whose tests run one of them waits for them, here.
  local tool pats=()
  for tool in "${APT_TOOLS[@]}"; do pats+=(-e "${tool%%:*}"); done
  if grep -qsw "${pats[@]}" ./*_test.go ./*/*_test.go; then
    finished tools || { echo "--- FAIL: the tests' programs were not installed (see the end of the output)"; return 1; }
  fi
  step "go test -race -cover" race_cover
  # Without -race: the tests only a non-race build can run (allocation
  # counts), and every benchmark once. Both share one non-race build of
  # each package.
  local dir run line
  for line in "${norace[@]}"; do
    read -r dir run <<<"$line"
    step "go test (no -race) ${dir#"$PWD"/}: the tests of its !race files" go test -vet=off -shuffle=on -count=1 -timeout=10m -run "$run" "$dir"
  done
  if [ ${#pkgs[@]} -gt 0 ]; then
    step "benchmarks once" go test -vet=off -run='^$' -bench=. -benchtime=1x -count=1 -timeout=10m "${pkgs[@]}"
  fi
}

# Two modules more than there are cores: the modules' tests wait more than
# they compute (balancers' checks, drains, process starts), so on two
# cores a third and a fourth module fill the time the others wait: the two
# balancer rollouts wait for most of their 35 s.
jobs=${JOBS:-$(($(nproc 2>/dev/null || echo 2) + 2))}
if [ "${BASH_VERSINFO[0]}" -lt 5 ] || { [ "${BASH_VERSINFO[0]}" -eq 5 ] && [ "${BASH_VERSINFO[1]}" -lt 1 ]; }; then
  jobs=1 # wait -n -p needs bash 5.1
fi

declare -A pidmod=() modstart=()
failed=()
running=0
# finish waits for one module to end, prints its output as one block, and
# records a failure.
finish() {
  local pid rc=0
  if [ "$jobs" -gt 1 ]; then
    wait -n -p pid "${!pidmod[@]}" || rc=$?
  else
    pid=${!pidmod[*]}
    wait "$pid" || rc=$?
  fi
  local mod=${pidmod[$pid]}
  unset "pidmod[$pid]"
  running=$((running - 1))
  local verdict=ok
  if [ "$rc" -ne 0 ]; then
    verdict=FAIL
    failed+=("$mod")
  fi
  echo "==> $mod ($verdict, $(elapsed "${modstart[$mod]}") s)"
  cat "$tmp/module.${mod//\//_}.log"
}

# From a cold build cache, the first modules would each compile the same
# standard library and common dependencies at once, in their own go
# processes (the build cache shares results, not work in progress): compile
# them once first, plain and with the race detector, as the root module
# uses them. With a warm cache this finds everything built.
if [ "$cache" = cold ]; then
  echo "==> cold build cache: compiling the root module's dependencies once, for every module"
  t=$(date +%s.%N)
  (go build ./... && go build -race ./...) || { echo "--- FAIL: go build of the root module"; exit 1; }
  echo "--- go build, go build -race ($(elapsed "$t") s)"
fi

echo "==> modules, $jobs at a time: ${modules[*]}"
for mod in "${modules[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    finish
  fi
  modstart[$mod]=$(date +%s.%N)
  (check_module "$mod") >"$tmp/module.${mod//\//_}.log" 2>&1 &
  pidmod[$!]=$mod
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  finish
done

echo "==> tools"
await tools || failed+=("(tools install)")
echo "==> staticcheck"
await staticcheck || failed+=("(staticcheck install)")
await prefetch >/dev/null || echo "warning: prefetching the modules' dependencies failed (see the modules' own go mod download)"

echo "==> coverage per package"
cat "$tmp"/module.*.log | grep -E '^ok .*coverage:' | awk -F'\t' '{ c = $0; sub(/.*coverage: /, "", c); printf "    %-60s %s\n", $2, c }' | sort || true


total=$(elapsed "$start")
if [ ${#failed[@]} -gt 0 ]; then
  echo "==> FAILED after $total s ($cache build cache): ${failed[*]}"
  exit 1
fi
echo "==> all modules passed in $total s ($cache build cache): ${modules[*]}"
