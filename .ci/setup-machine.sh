#!/usr/bin/env bash
# Installs and starts what the tests need on a fresh Debian 12 machine. Idempotent: a machine
# that already has everything passes through in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
# kcat, python3-confluent-kafka, python3-kafka: third-party clients of tests/compat.
# python3-snappy/-lz4/-zstandard: the codecs python3-kafka needs for snappy, lz4 and zstd.
# librdkafka-dev, gcc, libc6-dev: build refbroker (librdkafka's mock cluster, the reference broker).
packages=(kcat python3-confluent-kafka python3-kafka python3-snappy python3-lz4 python3-zstandard
  librdkafka-dev gcc libc6-dev)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# refbroker: built from ../shared/tools/refbroker into a cache outside the repository, keyed by a
# hash of its source. packages/testing/src/refbroker.ts computes the same path (keep them in sync):
#   ${TRIBUTARY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tributary}/refbroker-<first 12 hex of sha256(refbroker.c)>
refbroker_source="${TRIBUTARY_SHARED_DIR:-../shared}/tools/refbroker"
if [ -f "$refbroker_source/refbroker.c" ]; then
  cache_dir="${TRIBUTARY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tributary}"
  refbroker="$cache_dir/refbroker-$(sha256sum "$refbroker_source/refbroker.c" | cut -c1-12)"
  if [ ! -x "$refbroker" ]; then
    mkdir -p "$cache_dir"
    OUT="$refbroker.partial" bash "$refbroker_source/build.sh"
    mv "$refbroker.partial" "$refbroker"
  fi
  echo "refbroker: $refbroker"
else
  echo "refbroker: source not found at $refbroker_source; compat tests against it will be skipped"
fi
