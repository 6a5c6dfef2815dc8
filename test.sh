#!/usr/bin/env bash
# test.sh: the project's one test command. It checks every Go module in the
# repository (the root library and each sub-module such as benchmarks/):
#   go vet, staticcheck, go test -race (shuffled, uncached, fuzz seed corpora
#   included), and every benchmark once so benchmarks keep compiling and running.
# It installs the pinned staticcheck itself; nothing needs to be installed by hand
# beyond Go. Usage: ./test.sh [module-dir...]   (default: every module)
set -euo pipefail

STATICCHECK_VERSION=v0.8.2 # staticcheck 2026.2.2, supports Go 1.26

root=$(cd "$(dirname "$0")" && pwd)
cd "$root"

gobin=$(go env GOPATH)/bin
staticcheck="$gobin/staticcheck"
if ! "$staticcheck" -version 2>/dev/null | grep -q "(${STATICCHECK_VERSION#v})"; then
  echo "==> installing staticcheck $STATICCHECK_VERSION"
  GOBIN="$gobin" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
fi

if [ $# -gt 0 ]; then
  modules=("$@")
else
  mapfile -t modules < <(find . -name go.mod -not -path '*/.*/*' -not -path '*/testdata/*' -printf '%h\n' | sort)
fi

for mod in "${modules[@]}"; do
  echo "==> $mod"
  (
    cd "$mod"
    go mod download
    echo "--- go vet";       go vet ./...
    echo "--- staticcheck";  "$staticcheck" ./...
    echo "--- go test -race"; go test -race -shuffle=on -count=1 -timeout=10m ./...
    echo "--- benchmarks once"; go test -run='^$' -bench=. -benchtime=1x -count=1 -timeout=10m ./...
  )
done
echo "==> all modules passed: ${modules[*]}"
