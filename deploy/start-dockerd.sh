#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock: installs Debian's docker.io when dockerd is
# missing, starts dockerd in the background when the socket does not answer, and waits for it.
# Why a script: these machines run no init system, so nothing else starts the daemon; tests, CI and the
# README all call this one. Idempotent and quiet when the engine already answers.
#   deploy/start-dockerd.sh            (as root)
# Environment: PHYSARUM_DOCKERD_LOG (default /var/log/physarum-dockerd.log), PHYSARUM_DOCKERD_WAIT (seconds, default 60).
set -euo pipefail

socket=/var/run/docker.sock
log="${PHYSARUM_DOCKERD_LOG:-/var/log/physarum-dockerd.log}"
wait_seconds="${PHYSARUM_DOCKERD_WAIT:-60}"

fail() { echo "start-dockerd: $*" >&2; exit 1; }

# The engine answers when the docker CLI (part of docker.io) gets a server version through the socket.
answers() { [ -S "$socket" ] && DOCKER_HOST="unix://$socket" docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

answers && exit 0

[ "$(id -u)" -eq 0 ] || fail "no Docker engine answers on $socket and starting one needs root: run this script as root"

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  # The package lists may be missing on a fresh machine: try, and on failure update once and retry.
  if ! apt-get -o DPkg::Lock::Timeout=300 install -y -qq docker.io >/dev/null 2>&1; then
    apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1 || true
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq docker.io >/dev/null \
      || fail "could not install docker.io with apt-get; install it by hand (apt-get install docker.io)"
  fi
  command -v dockerd >/dev/null 2>&1 || fail "docker.io is installed but dockerd is not on PATH ($PATH)"
fi

# Two callers may race here (parallel test processes): one lock, and the loser finds the engine answering.
mkdir -p /run/physarum
exec 9>/run/physarum/start-dockerd.lock
flock 9
answers && exit 0

# setsid: the daemon must outlive the shell or test host that started it (and its process group).
mkdir -p "$(dirname "$log")"
setsid dockerd >>"$log" 2>&1 </dev/null &
pid=$!

for _ in $(seq 1 $((wait_seconds * 5))); do
  answers && exit 0
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start-dockerd: dockerd exited before it answered on $socket; the end of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  sleep 0.2
done

echo "start-dockerd: dockerd (pid $pid) did not answer on $socket within ${wait_seconds}s; the end of $log:" >&2
tail -n 20 "$log" >&2
exit 1
