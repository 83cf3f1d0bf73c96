#!/usr/bin/env bash
# Installs what PhysarumSM needs on Debian when it is missing; idempotent and quiet when all is there.
#   scripts/setup.sh run   - what the mesh needs to run (etcd, a Docker engine and the local base image)
#   scripts/setup.sh test  - plus what the tests need (Node.js + js-libp2p interop peer, Redis, wrk, chromium)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode="${1:-run}"

need_apt=()
command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK is required (dotnet not on PATH)"; exit 1; }
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
if [ "$mode" = test ]; then
  command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
  command -v npm >/dev/null 2>&1 || need_apt+=(npm)
  command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
  command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)   # the gateway load test (Debian's bombardier package is a game)
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)     # the dashboard's browser test (Playwright drives it; no browser download)
fi

if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "missing packages: ${need_apt[*]} (run as root or install them)"; exit 1; fi
  echo "installing: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Containers need a running engine and the local base image (nothing can be pulled here).
"$root/deploy/start-dockerd.sh"
"$root/deploy/make-base-image.sh"

if [ "$mode" = test ]; then
  bash "$root/scripts/setup-interop.sh"
fi
