#!/usr/bin/env bash
# The seed's Getting Started as one script, on one machine: two physarum-nodes (the first is the overlay bootstrap
# and runs the registry with its own etcd; both are allocators), the hello-world-server image built and registered,
# the standalone proxy on 127.0.0.1:4200, one curl through it, and `docker ps` showing the container the request
# started. Everything stops (and the nodes remove their containers) when the script ends; --keep leaves the mesh
# running until Ctrl+C.
#   deploy/demo.sh [--keep]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
keep=false
[ "${1:-}" = "--keep" ] && keep=true

scripts/setup.sh run
out="$root/artifacts/demo"
dotnet build src/PhysarumSM.Node -c Release -nologo -v:q -o "$out/node"
dotnet build src/PhysarumSM.Cli -c Release -nologo -v:q -o "$out/cli"
samples/HelloWorld/build.sh

psk="${P2P_PSK:-physarum-demo}"
work="$(mktemp -d /tmp/physarum-demo.XXXXXX)"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

# Waits for a line in a log file, or fails naming the log when the process is gone.
await_line() {
  local pid=$1 log=$2 text=$3
  until grep -q "$text" "$log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "demo: process $pid exited; its log:"; cat "$log"; exit 1; }
    sleep 0.5
  done
}

# Node ports: the gateways move off 4200 so the standalone proxy can have it, as in the seed.
start_node() {
  local name=$1; shift
  dotnet "$out/node/physarum-node.dll" -psk "$psk" -keyfile "$work/$name.key" -data-dir "$work/$name" "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
  await_line $! "$work/$name.log" "physarum-node ready"
  echo "== $name ready (log: $work/$name.log)"
}

echo "== 1. bootstrap node with the registry (etcd) and an allocator"
start_node node1 -new-etcd-cluster -etcd-ip 127.0.0.1 -proxy-listen-addr 127.0.0.1:4201
bootstrap="$(sed -n 's/^listening: \(\/ip4\/127\.0\.0\.1\/.*\)$/\1/p' "$work/node1.log" | head -n 1)"
echo "   bootstrap: $bootstrap"

echo "== 2. a second allocator node"
start_node node2 -bootstrap "$bootstrap" -p2p-listen-addr 127.0.0.1:4002 -prom-listen-addr 127.0.0.1:9101 \
  -silo-port 11112 -gateway-port 30001 -primary-silo 127.0.0.1:11111 -proxy-listen-addr 127.0.0.1:4202 \
  -admin-listen-addr 127.0.0.1:8081

echo "== 3. build hello-world-server's image and register it"
cli() { dotnet "$out/cli/physarum.dll" --bootstrap "$bootstrap" --psk "$psk" "$@"; }
cli service add --dir samples/HelloWorld samples/HelloWorld/image-conf.json physarum/hello-world-server:1.0 hello-world-server

echo "== 4. the standalone proxy on 127.0.0.1:4200"
dotnet "$out/cli/physarum.dll" proxy --bootstrap "$bootstrap" --psk "$psk" 4200 > "$work/proxy.log" 2>&1 &
pids+=($!)
await_line $! "$work/proxy.log" "proxy listening"

echo "== 5. curl 127.0.0.1:4200/hello-world-server"
curl -sS --max-time 60 127.0.0.1:4200/hello-world-server

echo "== 6. docker ps: the container that request started"
docker ps --filter label=physarum.service=hello-world-server --format 'table {{.ID}}\t{{.Image}}\t{{.Status}}\t{{.Label "physarum.node"}}'

echo "== 7. physarum status: both nodes, the RTT between them, and the instance"
sleep 1   # a node publishes a new instance within half a second
cli status

if $keep; then
  echo "== mesh running (proxy :4200, node gateways :4201 :4202, dashboards :8080 :8081, metrics :9100 :9101); Ctrl+C to stop"
  wait "${pids[0]}"
fi
