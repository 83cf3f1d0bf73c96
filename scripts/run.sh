#!/usr/bin/env bash
# The ONE run command (README): installs what is missing (etcd, Docker engine, base image), builds, starts a
# physarum-node with every role (overlay, registry with its own etcd, allocator, gateway on :4200), builds and registers the
# hello-world sample, and keeps the node in the foreground (Ctrl+C stops it). Extra flags go to the node.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup.sh run

out="$root/artifacts/run"
dotnet build src/PhysarumSM.Node -c Release -nologo -v:q -o "$out/node"
dotnet build src/PhysarumSM.Cli -c Release -nologo -v:q -o "$out/cli"
samples/HelloWorld/build.sh

psk="${P2P_PSK:-physarum-demo}"
data="${PHYSARUM_DATA_DIR:-$HOME/.physarum/data}"
log="$out/node.log"
# The node writes to its log file (not a pipe, which could close under it); tail shows it here.
dotnet "$out/node/physarum-node.dll" -psk "$psk" -data-dir "$data" -new-etcd-cluster -etcd-ip 127.0.0.1 "$@" > "$log" 2>&1 &
node=$!
tail -n +1 -f "$log" &
tailer=$!
trap 'kill -TERM $node 2>/dev/null; wait $node; kill $tailer 2>/dev/null' INT TERM EXIT

until grep -q "physarum-node ready" "$log" 2>/dev/null; do
  kill -0 $node 2>/dev/null || { echo "physarum-node exited; see $log"; exit 1; }
  sleep 1
done
bootstrap="$(sed -n 's/^listening: \(\/ip4\/127\.0\.0\.1\/.*\)$/\1/p' "$log" | head -n 1)"

dotnet "$out/cli/physarum.dll" --bootstrap "$bootstrap" --psk "$psk" service add \
  --dir samples/HelloWorld samples/HelloWorld/image-conf.json physarum/hello-world-server:1.0 hello-world-server
dotnet "$out/cli/physarum.dll" --bootstrap "$bootstrap" --psk "$psk" service list
echo "mesh running: bootstrap $bootstrap (PSK '$psk'); try: curl 127.0.0.1:4200/hello-world-server/ ; Ctrl+C to stop"
wait $node
