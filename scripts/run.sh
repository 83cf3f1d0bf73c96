#!/usr/bin/env bash
# The ONE run command (README): installs what is missing, builds, and starts a physarum-node with the
# given flags (default: listen on :4001, a bootstrap of a new overlay). Ctrl+C stops it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup.sh run
dotnet build src/PhysarumSM.Node -c Release -nologo -v:q
exec dotnet "src/PhysarumSM.Node/bin/Release/net10.0/physarum-node.dll" "$@"
