#!/usr/bin/env bash
# Installs and starts what the tests need on a fresh Debian 12 machine. Idempotent: a machine
# that already has everything passes through in seconds.
set -euo pipefail
packages=(kcat python3-confluent-kafka python3-kafka librdkafka-dev gcc)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
