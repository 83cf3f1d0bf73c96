#!/usr/bin/env bash
# Makes the cluster certificate for Orleans TLS: a self-signed ECDSA P-256 certificate and its key, bundled in one
# PKCS#12 file that every physarum-node gets as -cluster-cert (and .NET clients as Physarum:Client:ClusterCertificatePath).
# Why self-signed is enough: nodes pin this exact certificate (they accept only a peer presenting it and proving it
# holds its key), so no certificate authority is involved. Copy the file to every machine over a channel you trust;
# whoever has it can join the cluster.
#   deploy/make-cluster-cert.sh [OUT.pfx] [DAYS]        (defaults: cluster.pfx, 825 days)
# Environment: PHYSARUM_CLUSTER_CERT_PASSWORD encrypts the file (give the nodes the same variable); unset = no password.
set -euo pipefail

out="${1:-cluster.pfx}"
days="${2:-825}"

fail() { echo "make-cluster-cert: $*" >&2; exit 1; }
command -v openssl >/dev/null 2>&1 || fail "openssl is missing (apt-get install openssl)"
[[ "$days" =~ ^[1-9][0-9]*$ ]] || fail "DAYS '$days' is not a positive whole number"
[ -e "$out" ] && fail "$out exists; remove it first (nodes with the old certificate would no longer join)"

# The PEM key exists only in this directory, which is removed on exit: the .pfx is the one copy.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 077

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days "$days" -nodes \
  -subj /CN=physarum-cluster -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null \
  || fail "openssl could not make the certificate"
# The password travels in the environment, never on a command line another user could read with ps.
PHYSARUM_CLUSTER_CERT_PASSWORD="${PHYSARUM_CLUSTER_CERT_PASSWORD:-}" \
  openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -name physarum-cluster \
  -passout env:PHYSARUM_CLUSTER_CERT_PASSWORD -out "$out" \
  || fail "openssl could not write $out"

echo "wrote $out ($(openssl x509 -in "$work/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)); valid $days days"
echo "start every node with: -cluster-cert $out${PHYSARUM_CLUSTER_CERT_PASSWORD:+ (and PHYSARUM_CLUSTER_CERT_PASSWORD set)}"
