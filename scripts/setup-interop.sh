#!/usr/bin/env bash
# Prepare the js-libp2p interop peer in tests/interop-js: make sure Node.js >= 20 and npm exist
# (apt-get when missing, as root on Debian), then `npm ci` when node_modules is missing or was
# installed from a different package.json/package-lock.json. Idempotent; silent on success.
set -euo pipefail

MIN_NODE_MAJOR=20
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/tests/interop-js"
STAMP="$DIR/node_modules/.physarum-install-stamp"

die() {
  echo "setup-interop: error: $*" >&2
  exit 1
}

# Run a command with its output captured; show the output only if it fails.
quiet() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    echo "setup-interop: command failed: $*" >&2
    tail -n 60 "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

apt_install() {
  [ "$(id -u)" -eq 0 ] || die "$* missing and not running as root; install Node.js >= $MIN_NODE_MAJOR with npm, or rerun as root"
  command -v apt-get >/dev/null 2>&1 || die "$* missing and apt-get not available; install Node.js >= $MIN_NODE_MAJOR with npm"
  export DEBIAN_FRONTEND=noninteractive
  quiet apt-get update -qq || die "apt-get update failed"
  quiet apt-get install -y -qq --no-install-recommends "$@" || die "apt-get install $* failed"
}

[ -f "$DIR/package.json" ] && [ -f "$DIR/package-lock.json" ] || die "$DIR/package.json or package-lock.json not found"

if ! command -v node >/dev/null 2>&1; then
  apt_install nodejs npm
elif ! command -v npm >/dev/null 2>&1; then
  apt_install npm
fi
command -v node >/dev/null 2>&1 || die "node still not found after installing nodejs"
command -v npm >/dev/null 2>&1 || die "npm still not found after installing npm"

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt "$MIN_NODE_MAJOR" ]; then
  die "Node.js $(node --version) is too old; js-libp2p 3.x needs >= $MIN_NODE_MAJOR (Debian 12's own nodejs is 18: use a Node $MIN_NODE_MAJOR+ package, e.g. NodeSource)"
fi

# Serialise concurrent runs (parallel test processes) on one lock per checkout.
if command -v flock >/dev/null 2>&1; then
  lock="${TMPDIR:-/tmp}/physarum-setup-interop-$(printf '%s' "$DIR" | sha256sum | cut -c1-16).lock"
  exec 9>"$lock"
  flock 9
fi

want="$(cat "$DIR/package.json" "$DIR/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ -d "$DIR/node_modules" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  touch "$STAMP" # newer than package*.json again, so JsPeer's cheap mtime check is satisfied
  exit 0
fi

cd "$DIR"
quiet npm ci --no-audit --no-fund --loglevel=error || die "npm ci in $DIR failed (is the npm registry reachable?)"
printf '%s\n' "$want" >"$STAMP"

# Smoke check: the peer's dependencies load on this Node version.
quiet node --input-type=module -e "import './polyfill.mjs'; await import('libp2p'); await import('@libp2p/pnet'); await import('@chainsafe/libp2p-yamux')" \
  || die "installed packages do not load with Node.js $(node --version)"
