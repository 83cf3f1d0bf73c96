#!/usr/bin/env bash
# Publishes HelloWorldServer self-contained for linux-x64 (trimmed, single file) into samples/HelloWorld/publish,
# where image-conf.json's Copy finds it. Quiet on success; the output is one executable, HelloWorldServer.
#   samples/HelloWorld/build.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# Its own artifacts folder: publishing for a runtime must not rewrite the obj/ that a solution build is using.
artifacts="${PHYSARUM_SAMPLE_ARTIFACTS:-${TMPDIR:-/tmp}/physarum-helloworld-build}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! dotnet publish "$here/HelloWorldServer/HelloWorldServer.csproj" -c Release -r linux-x64 --self-contained \
    -o "$here/publish" --artifacts-path "$artifacts" -nologo -v q >"$log" 2>&1; then
  cat "$log" >&2
  echo "build.sh: publishing HelloWorldServer failed (output above)" >&2
  exit 1
fi
[ -x "$here/publish/HelloWorldServer" ] || { echo "build.sh: $here/publish/HelloWorldServer was not produced" >&2; exit 1; }
