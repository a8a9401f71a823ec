#!/usr/bin/env bash
# Provides kube-apiserver and etcd binaries for the tests against a real Kubernetes API server.
#
# Both are built from the Go module proxy (no prebuilt downloads): a tiny Go module requires
# k8s.io/kubernetes at a pinned release, pins every k8s.io/* staging module by `replace` to the
# matching v0.x.y release (the usual way to build Kubernetes as a module), and builds
# k8s.io/kubernetes/cmd/kube-apiserver plus an etcd main calling go.etcd.io/etcd/server/v3/etcdmain
# at the etcd version that Kubernetes release requires (so the two always match).
#
# The binaries are cached by version in a per-machine folder, so this builds once per machine:
#   ${FLINK_CUTOVER_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flink-cutover}/kube-<version>/bin/
# Prints that bin folder on its last line of stdout. Progress goes to stderr.
#
# Usage: .ci/kube-apiserver.sh          build if missing, print the bin folder
#        .ci/kube-apiserver.sh --print  print the bin folder only (exit 1 if not built yet)
set -euo pipefail

KUBE_VERSION=${KUBE_VERSION:-v1.37.2}
# Staging modules of k8s.io/kubernetes v1.X.Y are released as v0.X.Y.
STAGING_VERSION="v0.${KUBE_VERSION#v1.}"

cache_root=${FLINK_CUTOVER_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flink-cutover}
dir="$cache_root/kube-$KUBE_VERSION"
bin="$dir/bin"

built() { [ -x "$bin/kube-apiserver" ] && [ -x "$bin/etcd" ]; }

if [ "${1:-}" = "--print" ]; then
  if built; then echo "$bin"; exit 0; fi
  echo "kube-apiserver $KUBE_VERSION is not built yet: run .ci/kube-apiserver.sh" >&2
  exit 1
fi

if built; then
  echo "kube-apiserver and etcd for $KUBE_VERSION are cached in $bin" >&2
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "go is needed to build kube-apiserver (not found on PATH)" >&2; exit 2; }

# One build at a time per cache folder: a second caller waits, then finds the binaries.
mkdir -p "$dir"
exec 9>"$dir/.lock"
if ! flock -n 9; then
  echo "another build of kube-apiserver $KUBE_VERSION is running; waiting for it" >&2
  flock 9
fi
if built; then
  echo "$bin"
  exit 0
fi

start=$(date +%s)
src="$dir/src"
mkdir -p "$src" "$bin"
cd "$src"

# Read the release's own go.mod to learn its staging modules (they change between releases).
echo "==> reading k8s.io/kubernetes@$KUBE_VERSION go.mod" >&2
gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[ -f "$gomod" ] || { echo "could not download k8s.io/kubernetes@$KUBE_VERSION from the Go module proxy" >&2; exit 2; }
mapfile -t staging < <(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$gomod")
[ "${#staging[@]}" -gt 0 ] || { echo "no staging replaces found in $gomod" >&2; exit 2; }
etcd_version=$(sed -n 's#^[[:space:]]*go\.etcd\.io/etcd/server/v3 \(v[^ ]*\).*#\1#p' "$gomod" | head -1)
[ -n "$etcd_version" ] || { echo "k8s.io/kubernetes@$KUBE_VERSION does not name an etcd server version" >&2; exit 2; }
go_version=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod")

{
  echo "module flinkcutover.local/kube"
  echo
  echo "go $go_version"
  echo
  echo "require ("
  echo "	k8s.io/kubernetes $KUBE_VERSION"
  echo "	go.etcd.io/etcd/server/v3 $etcd_version"
  echo ")"
  echo
  echo "replace ("
  for m in "${staging[@]}"; do echo "	$m => $m $STAGING_VERSION"; done
  echo ")"
} >go.mod

mkdir -p etcd
cat >etcd/main.go <<'EOF'
// etcd server, built from go.etcd.io/etcd/server/v3 at the version k8s.io/kubernetes requires.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
cat >tools.go <<'EOF'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
EOF

echo "==> go mod tidy (k8s.io/kubernetes $KUBE_VERSION, staging $STAGING_VERSION, etcd $etcd_version)" >&2
GOFLAGS=-mod=mod go mod tidy >&2

# Two cores shared with other work: at most two compile jobs. Static, stripped, path-free binaries.
export CGO_ENABLED=0 GOFLAGS="-mod=mod -p=${KUBE_BUILD_JOBS:-2} -trimpath"
ldflags="-s -w"
echo "==> go build etcd $etcd_version" >&2
go build -ldflags="$ldflags" -o "$bin/etcd.tmp" ./etcd
echo "==> go build kube-apiserver $KUBE_VERSION" >&2
go build -ldflags="$ldflags -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)" \
  -o "$bin/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
mv "$bin/etcd.tmp" "$bin/etcd"
mv "$bin/kube-apiserver.tmp" "$bin/kube-apiserver"
{
  echo "kube-apiserver $KUBE_VERSION"
  echo "etcd $etcd_version"
  echo "built in $(( $(date +%s) - start ))s on $(date -u +%Y-%m-%dT%H:%M:%SZ) with $(go version)"
} >"$dir/VERSIONS"
cat "$dir/VERSIONS" >&2
echo "$bin"
