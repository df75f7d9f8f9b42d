#!/usr/bin/env bash
# Builds ferretdb-asp (main.go: FerretDB 1.24.2 embedded) with our patches to FerretDB applied
# (patches/*.patch; why each exists: patches/README.md). Go will not build from a changed module
# cache, so FerretDB's module (3.4 MB) is copied to a temp dir, patched there, and built through
# a temporary go.mod that replaces the module with the copy; infra/ferretdb's own go.mod and the
# module cache stay as they are. SQLite is the C library through cgo (patches/sqlite-cgo.patch):
# the build needs a C compiler, and compiles SQLite (~50 s of the build's ~2 min on a cold Go cache).
#
#   infra/ferretdb/build.sh <output binary>
#   infra/ferretdb/build.sh --test    runs the Go tests the patches add inside FerretDB (scripts/test)
set -euo pipefail
# The FerretDB packages whose tests a patch adds (with upstream's tests of the same packages).
patched_tests=(internal/handler/sjson internal/handler/wiredecode)
[ "$#" -eq 1 ] || { echo "usage: build.sh <output binary> | build.sh --test" >&2; exit 2; }
[ "$1" = --test ] || out="$(realpath -m "$1")"
cd "$(dirname "$0")"
cc="$(go env CC)"
command -v "$cc" >/dev/null 2>&1 ||
  { echo "build.sh: a C compiler ($cc) is needed to build SQLite into ferretdb-asp (Debian: apt-get install gcc)" >&2; exit 1; }
mod="$(go mod download -json github.com/FerretDB/FerretDB | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
[ -d "$mod" ] || { echo "build.sh: FerretDB's module was not downloaded" >&2; exit 1; }
work="$(mktemp -d)"
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -R "$mod" "$work/ferretdb"
chmod -R u+w "$work/ferretdb"
for p in patches/*.patch; do
  # Outside a repository git apply works as patch(1) does, and fails on a patch that does not fit.
  (cd "$work/ferretdb" && git apply "$OLDPWD/$p")
done
cp go.mod go.sum "$work/"
go mod edit -modfile="$work/go.mod" -replace "github.com/FerretDB/FerretDB=$work/ferretdb"
if [ "$1" = --test ]; then
  # Built as the binary is (this go.mod: SQLite through cgo, the tags); -mod=mod lets Go add the
  # tests' own dependencies to the temporary go.mod. Upstream's test helpers find the source root
  # by a .git entry, which the module copy lacks.
  mkdir "$work/ferretdb/.git"
  GOFLAGS=-mod=mod go test -modfile="$work/go.mod" -tags "$(cat sqlite.tags)" -count=1 \
    "${patched_tests[@]/#/github.com/FerretDB/FerretDB/}"
  exit
fi
# The SQLite features FerretDB's SQLite backend uses: dbstat (dbStats, collStats) and stat4 (ANALYZE).
CGO_ENABLED=1 go build -modfile="$work/go.mod" -tags "$(cat sqlite.tags)" -o "$out" .
