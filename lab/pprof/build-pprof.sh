#!/usr/bin/env bash
# Builds Google's `pprof` offline from Debian's Go sources into <repo>/.build/pprof/pprof.
# Installs nothing: `make pprof-bin` installs the Makefile's PPROF_PACKAGES first
# (golang-go golang-github-google-pprof-dev and the -dev packages pprof imports).
# Idempotent: does nothing when the binary exists and is newer than this script.
# On failure: prints one line `failed to build pprof: <reason>` and exits non-zero.
set -u -o pipefail

script="${BASH_SOURCE[0]}"
root="$(cd "$(dirname "$script")/../.." && pwd)"     # the repository this script belongs to
out_dir="$root/.build/pprof"
bin="$out_dir/pprof"
log="$out_dir/build.log"
gopath=/usr/share/gocode                              # Debian's golang-*-dev packages install here
pkg=github.com/google/pprof

fail() { echo "failed to build pprof: $*" >&2; exit 1; }

if [[ -x "$bin" && "$bin" -nt "$script" ]]; then
    echo "pprof: up to date ($bin)"
    exit 0
fi

command -v go >/dev/null 2>&1 || fail "go not found (install golang-go: make pprof-bin installs PPROF_PACKAGES)"
[[ -f "$gopath/src/$pkg/pprof.go" ]] ||
    fail "$gopath/src/$pkg not found (install golang-github-google-pprof-dev: make pprof-bin installs PPROF_PACKAGES)"
mkdir -p "$out_dir" || fail "cannot create $out_dir"

# GOPATH mode over Debian's sources: no module download, no network (GOPROXY=off, GOFLAGS cleared).
# CGO_ENABLED=0: a static binary that needs no C toolchain. Go's own build cache (~/.cache/go-build), not
# one inside the clone: a fresh clone on a machine that built pprof before then compiles nothing again.
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
if ! env GO111MODULE=off GOPATH="$gopath" GOPROXY=off GOFLAGS= GOSUMDB=off CGO_ENABLED=0 \
        GOCACHE="${GOCACHE:-$(go env GOCACHE 2>/dev/null || echo "$out_dir/gocache")}" \
        go build -trimpath -o "$tmp" "$pkg" >"$log" 2>&1; then
    reason="$(grep -v '^#' "$log" | head -n 3 | tr -s ' \t\n' ' ' | cut -c 1-300 | sed 's/ *$//')"
    fail "go build $pkg: ${reason:-exit status non-zero} (full log: $log)"
fi
mv -f "$tmp" "$bin" || fail "cannot move the binary to $bin"
echo "pprof: built $bin"
