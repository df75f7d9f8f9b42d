#!/usr/bin/env bash
# Idempotent set-up shared by the README's commands: Node.js 24 (from the npm
# registry when the machine's node is older), pnpm, the workspace's packages,
# and the local servers (nats-server, FerretDB) built with Go. Everything lands
# in .tools/ (gitignored) so a second run only checks what is there.
# Source it: `source scripts/bootstrap.sh` — it exports PATH and ASP_TOOLS_DIR.
set -euo pipefail

ASP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ASP_TOOLS_DIR="${ASP_TOOLS_DIR:-$ASP_ROOT/.tools}"
export ASP_ROOT ASP_TOOLS_DIR

NODE_MAJOR_MIN=24
PNPM_VERSION=12.21.0
NATS_SERVER_VERSION=v2.12.15

log() { printf '\033[36m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[setup] error:\033[0m %s\n' "$*" >&2; exit 1; }

mkdir -p "$ASP_TOOLS_DIR/bin"

ensure_node() {
  local have=0
  if command -v node >/dev/null 2>&1; then
    have="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  fi
  if [ "$have" -ge "$NODE_MAJOR_MIN" ]; then return; fi
  local dir="$ASP_TOOLS_DIR/node"
  if [ ! -x "$dir/node_modules/.bin/node" ]; then
    command -v npm >/dev/null 2>&1 || die "npm is needed to install Node.js $NODE_MAJOR_MIN (machine node: ${have})"
    log "installing Node.js $NODE_MAJOR_MIN into $dir (machine node is v$have)"
    mkdir -p "$dir"
    echo '{"name":"asp-tools-node","private":true}' >"$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR_MIN" >&2 \
      || die "npm could not install node@$NODE_MAJOR_MIN"
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
}

ensure_pnpm() {
  local dir="$ASP_TOOLS_DIR/pnpm"
  if [ ! -x "$dir/node_modules/.bin/pnpm" ] || [ "$("$dir/node_modules/.bin/pnpm" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
    log "installing pnpm $PNPM_VERSION into $dir"
    mkdir -p "$dir"
    echo '{"name":"asp-tools-pnpm","private":true}' >"$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >&2 \
      || die "npm could not install pnpm@$PNPM_VERSION"
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
}

ensure_packages() {
  # pnpm keeps a hash of the lockfile in node_modules; a frozen install
  # that has nothing to do returns in about a second.
  (cd "$ASP_ROOT" && pnpm install --frozen-lockfile --reporter=silent) >&2 \
    || die "pnpm install failed (see above)"
}

ensure_go_binary() { # name, version stamp, build command...
  # The stamp names what was built, so a version bump rebuilds instead of
  # silently running the old binary.
  local name="$1" stamp="$2"; shift 2
  local stamp_file="$ASP_TOOLS_DIR/bin/$name.stamp"
  if [ -x "$ASP_TOOLS_DIR/bin/$name" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then return; fi
  command -v go >/dev/null 2>&1 || die "Go is needed to build $name (install Go ≥ 1.24, or set NATS_URL/MONGO_URL to servers you run)"
  log "building $name with Go (first run only; takes a minute or two)"
  "$@" >&2 || die "building $name failed (see the Go output above)"
  echo "$stamp" >"$stamp_file"
}

ensure_servers() {
  ensure_go_binary nats-server "$NATS_SERVER_VERSION" \
    env GOBIN="$ASP_TOOLS_DIR/bin" go install "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION"
  local ferret_stamp
  # Every source file of the build: a change to any of them rebuilds the binary.
  ferret_stamp="$(cat "$ASP_ROOT"/infra/ferretdb/{go.mod,go.sum,*.go,build.sh,sqlite.tags,patches/*.patch} | sha256sum | cut -c1-16)"
  ensure_go_binary ferretdb-asp "$ferret_stamp" \
    "$ASP_ROOT/infra/ferretdb/build.sh" "$ASP_TOOLS_DIR/bin/ferretdb-asp"
  export PATH="$ASP_TOOLS_DIR/bin:$PATH"
}

ensure_node
ensure_pnpm
ensure_packages
ensure_servers
