#!/usr/bin/env bash
# Builds the physarum-node container image: a self-contained `dotnet publish` on the host, then `docker build` of
# deploy/node-image/Dockerfile on the local base image. Why publish outside the image: no SDK (and no package feed) is
# needed inside docker build, and the image stays a runtime-only layer on physarum/base:bookworm.
#   deploy/node-image/build.sh [TAG]        (default tag physarum/node:local; the engine must answer and have the base image:
#                                             deploy/start-dockerd.sh && deploy/make-base-image.sh)
# Environment: PHYSARUM_NODE_ARTIFACTS (dotnet's obj/bin for this publish, default /tmp/physarum-node-image-build),
#              PHYSARUM_NODE_WITH_ETCD (1 = install Debian's etcd-server in the image, the default; 0 = leave it out).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tag="${1:-physarum/node:local}"
# Its own artifacts folder: publishing for a runtime identifier must not rewrite the obj/ a solution build is using.
artifacts="${PHYSARUM_NODE_ARTIFACTS:-${TMPDIR:-/tmp}/physarum-node-image-build}"
with_etcd="${PHYSARUM_NODE_WITH_ETCD:-1}"

fail() { echo "node-image/build.sh: $*" >&2; exit 1; }

docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || fail "no Docker engine answers: start one with deploy/start-dockerd.sh"
docker image inspect physarum/base:bookworm >/dev/null 2>&1 \
  || fail "the base image physarum/base:bookworm is missing: make it with deploy/make-base-image.sh"

context="$(mktemp -d "${TMPDIR:-/tmp}/physarum-node-image.XXXXXX")"
log="$context.log"
trap 'rm -rf "$context" "$log"' EXIT

if ! dotnet publish "$root/src/PhysarumSM.Node/PhysarumSM.Node.csproj" -c Release -r linux-x64 --self-contained \
    -o "$context/publish" --artifacts-path "$artifacts" -nologo -v q >"$log" 2>&1; then
  cat "$log" >&2
  fail "dotnet publish of src/PhysarumSM.Node failed (output above)"
fi
[ -x "$context/publish/physarum-node" ] || fail "$context/publish/physarum-node was not produced"
cp "$here/Dockerfile" "$context/Dockerfile"

# --network host: apt-get inside the build reaches the Debian mirror the way the host does.
if ! docker build --network host --build-arg WITH_ETCD="$with_etcd" -t "$tag" "$context" >"$log" 2>&1; then
  cat "$log" >&2
  fail "docker build failed (output above); its apt-get needs the Debian mirror the host uses (see deploy/README.md, \"Node image\")"
fi

echo "built $tag ($(docker image inspect "$tag" --format '{{.Size}}' | awk '{ printf "%.0f MB", $1 / 1000000 }'))"
