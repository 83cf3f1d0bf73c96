#!/usr/bin/env bash
# Publishes GreeterServer self-contained for linux-x64 (trimmed, single file) into samples/Greeter/publish,
# where image-conf.json's Copy finds it. Quiet on success; the output is one executable, GreeterServer.
#   samples/Greeter/build.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# Its own artifacts folder: publishing for a runtime must not rewrite the obj/ that a solution build is using.
artifacts="${PHYSARUM_SAMPLE_ARTIFACTS:-${TMPDIR:-/tmp}/physarum-greeter-build}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! dotnet publish "$here/GreeterServer/GreeterServer.csproj" -c Release -r linux-x64 --self-contained \
    -o "$here/publish" --artifacts-path "$artifacts" -nologo -v q >"$log" 2>&1; then
  cat "$log" >&2
  echo "build.sh: publishing GreeterServer failed (output above)" >&2
  exit 1
fi
[ -x "$here/publish/GreeterServer" ] || { echo "build.sh: $here/publish/GreeterServer was not produced" >&2; exit 1; }
