#!/usr/bin/env bash
# Makes the local base image that service images build on, when the engine does not have it yet.
# Why: no image registry is reachable from these machines, so `FROM debian` cannot be pulled; a Debian
# bookworm minbase root file system made with debootstrap and loaded with `docker import` stands in.
# Idempotent and quiet on success; the root file system tarball is cached, so a rerun after the image
# was removed (or on a fresh engine) takes seconds.
#   deploy/make-base-image.sh            (as root; the engine must answer: deploy/start-dockerd.sh)
#   deploy/make-base-image.sh --print-tag   prints the image tag and exits
# Environment: PHYSARUM_CACHE_DIR (default /var/cache/physarum), PHYSARUM_DEBIAN_MIRROR (default: the
# machine's configured Debian mirror from /etc/apt/sources.list*).
set -euo pipefail

# The one place the tag is named for scripts; ServiceConfig.DefaultBaseImage in C# must match (a test checks).
readonly image_tag="physarum/base:bookworm"
readonly suite="bookworm"

if [ "${1:-}" = "--print-tag" ]; then echo "$image_tag"; exit 0; fi

cache_dir="${PHYSARUM_CACHE_DIR:-/var/cache/physarum}"
arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
tarball="$cache_dir/base-$suite-minbase-$arch.tar"

fail() { echo "make-base-image: $*" >&2; exit 1; }

docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || fail "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}): start one with deploy/start-dockerd.sh"

docker image inspect "$image_tag" >/dev/null 2>&1 && exit 0

[ "$(id -u)" -eq 0 ] || fail "image $image_tag is missing and making it needs root (debootstrap): run this script as root"

mkdir -p "$cache_dir"
# Parallel callers (several test processes) wait for one builder, then find the image there.
exec 9>"$cache_dir/make-base-image.lock"
flock 9
docker image inspect "$image_tag" >/dev/null 2>&1 && exit 0

# Prints the machine's Debian mirror from one-line (.list) and deb822 (.sources) files: one that serves $suite,
# else one that serves another Debian release (the same mirror serves every release), never a security or
# third-party repository.
configured_mirror() {
  local files=()
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && files+=("$f"); done
  [ "${#files[@]}" -gt 0 ] || return 0
  awk -v suite="$suite" '
    function consider(uri, suites,   n, i, s) {
      if (uri ~ /security/) return
      n = split(suites, s, " ")
      for (i = 1; i <= n; i++) {
        if (s[i] == suite && exact == "") exact = uri
        if (s[i] ~ /^(buster|bullseye|bookworm|trixie|forky|duke|sid|stable|testing|unstable|oldstable)(-updates|-backports)?$/ && fallback == "") fallback = uri
      }
    }
    function flush(   u) { if (types ~ /(^| )deb( |$)/ && uris != "") { split(uris, u, " "); consider(u[1], suites) } types = suites = uris = "" }
    FNR == 1 { flush() }
    FILENAME ~ /\.sources$/ {
      if ($0 ~ /^[ \t]*$/) { flush(); next }
      if ($0 ~ /^#/) next
      if ($1 == "Types:") { $1 = ""; types = $0 }
      if ($1 == "Suites:") { $1 = ""; suites = $0 }
      if ($1 == "URIs:") { $1 = ""; uris = $0; sub(/^ +/, "", uris) }
      next
    }
    $1 == "deb" {
      i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
      consider($i, $(i + 1))
    }
    END { flush(); if (exact != "") print exact; else if (fallback != "") print fallback }
  ' "${files[@]}"
}

if [ ! -s "$tarball" ]; then
  mirror="${PHYSARUM_DEBIAN_MIRROR:-$(configured_mirror)}"
  [ -n "$mirror" ] || fail "no Debian mirror for $suite in /etc/apt/sources.list*; set PHYSARUM_DEBIAN_MIRROR to one"

  if ! command -v debootstrap >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get -o DPkg::Lock::Timeout=300 install -y -qq debootstrap >/dev/null 2>&1; then
      apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1 || true
      apt-get -o DPkg::Lock::Timeout=300 install -y -qq debootstrap >/dev/null \
        || fail "could not install debootstrap with apt-get; install it by hand (apt-get install debootstrap)"
    fi
  fi

  work="$(mktemp -d /var/tmp/physarum-base.XXXXXX)"
  trap 'rm -rf "$work"' EXIT
  echo "make-base-image: making $image_tag with debootstrap from $mirror (about a minute, once)" >&2
  log="$cache_dir/debootstrap.log"
  if ! debootstrap --variant=minbase --arch="$arch" "$suite" "$work/rootfs" "$mirror" >"$log" 2>&1; then
    echo "make-base-image: debootstrap failed; the end of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  # Downloaded packages and package lists only make the image bigger; `apt-get update` in a RUN step restores the lists.
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/log/"*.log
  tar -C "$work/rootfs" --numeric-owner -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
fi

if ! docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    "$tarball" "$image_tag" >/dev/null 2>"$cache_dir/import.err"; then
  fail "docker import of $tarball failed: $(cat "$cache_dir/import.err"); delete the tarball to make it anew"
fi
