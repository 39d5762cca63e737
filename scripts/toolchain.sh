#!/usr/bin/env bash
# The real control plane's toolchain: etcd, kube-apiserver, kube-controller-manager, kubectl,
# the Pulumi CLI with its Node.js language host, the kubernetes, kafka and random resource
# providers, Strimzi's Topic and User Operator jars, and a JDK 21+ to run them.
#
# Each piece is taken, in this order, from:
#   1. an environment variable naming it (KUBE_APISERVER=/path/to/kube-apiserver, ...), or
#   2. PATH, when it reports the pinned version, or
#   3. the cache outside the clone (${KAFKA_PLATFORM_CACHE:-~/.cache/kafka-platform}/toolchain),
#      keyed by version, built there from the registries when it is missing.
# Versions: scripts/toolchain/versions.env (the only place they are written).
# The Go sources that no registry serves are read from ../shared/toolchain (never copied into
# the clone). Builds run one at a time: the kubernetes provider alone peaks at about 5 GiB.
#
# The result is one folder of links, bin-<key>/, that local/control-plane puts on PATH.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/toolchain.sh [--check] [--print-bin] [--help]

Provides the control-plane toolchain (see the header of this file), building what is missing.
Cold, on 2 cores: about 45 minutes and 10 GB of Go build cache; warm: a second.

  --check      build nothing: list what is missing and exit 3 if anything is
  --print-bin  print the folder of links (bin-<key>) and nothing else, once all is present
  --help       this text

Environment: KAFKA_PLATFORM_CACHE (cache root), SHARED_DIR (default ../shared beside the clone),
and per tool ETCD, KUBE_APISERVER, KUBE_CONTROLLER_MANAGER, KUBECTL, PULUMI, PULUMI_LANGUAGE_NODEJS,
PULUMI_RESOURCE_KUBERNETES, PULUMI_RESOURCE_KAFKA, PULUMI_RESOURCE_RANDOM, STRIMZI_OPERATOR_LIB,
JAVA21_HOME.
EOF
}

check_only=false
print_bin=false
for arg in "$@"; do
  case "$arg" in
    --check) check_only=true ;;
    --print-bin) print_bin=true ;;
    -h | --help) usage; exit 0 ;;
    *) echo "toolchain: unknown argument '$arg' (allowed: --check, --print-bin, --help)" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
versions_file="$root/scripts/toolchain/versions.env"
# shellcheck source=toolchain/versions.env
source "$versions_file"
shared="${SHARED_DIR:-$root/../shared}"
sources="$shared/toolchain"
cache_root="${KAFKA_PLATFORM_CACHE:-$HOME/.cache/kafka-platform}"
cache="$cache_root/toolchain"
key="$(sha256sum "$versions_file" | cut -c1-12)"
bin="$cache/bin-$key"
mkdir -p "$cache"

log() { printf '[toolchain] %s\n' "$*" >&2; }
die() { printf '[toolchain] error: %s\n' "$*" >&2; exit 1; }
missing=()

# Only one run builds at a time (CI and a developer on the same machine share the cache).
exec 9>"$cache/.lock"
if ! flock -n 9; then
  log "another toolchain run holds $cache/.lock; waiting for it"
  flock 9
fi

k8s_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=${KUBERNETES_VERSION%%.*} -X k8s.io/component-base/version.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2) -X k8s.io/client-go/pkg/version.gitVersion=v$KUBERNETES_VERSION"

# A tool from an environment variable or PATH is used when its version output has the pin.
# reports_version <command> <version-args> <pin>: whether the command's output names the pin.
# The output is read whole first: piped into `grep -q`, which stops at the first match, a tool
# that goes on writing gets SIGPIPE, and under pipefail a tool at the right version looked
# missing now and then (etcd, under load).
reports_version() {
  local out
  # shellcheck disable=SC2086 # the version arguments are a word list
  out="$("$1" $2 2>&1)" || true
  [[ "$out" == *"$3"* ]]
}

from_env_or_path() { # var name command version-args pin
  local var="$1" name="$2" args="$3" pin="$4" candidate=""
  if [ -n "${!var:-}" ]; then
    candidate="${!var}"
    [ -x "$candidate" ] || die "$var=$candidate is not an executable file"
  elif command -v "$name" >/dev/null 2>&1; then
    candidate="$(command -v "$name")"
    case "$candidate" in "$cache"/*) candidate="" ;; esac
  fi
  if [ -n "$candidate" ]; then
    if reports_version "$candidate" "$args" "$pin"; then
      echo "$candidate"
      return 0
    fi
    [ -n "${!var:-}" ] && die "$var=$candidate does not report version $pin ('$candidate $args')"
  fi
  return 1
}

need_go() {
  command -v go >/dev/null 2>&1 ||
    die "Go >= $GO_MIN_VERSION is needed to build the control plane (none on PATH). Install it, or put prebuilt tools on PATH (see scripts/toolchain.sh --help)."
  local have
  have="$(go env GOVERSION | sed 's/^go//')"
  if [ "$(printf '%s\n%s\n' "$GO_MIN_VERSION" "$have" | sort -V | head -1)" != "$GO_MIN_VERSION" ]; then
    die "Go >= $GO_MIN_VERSION is needed to build the control plane; found $have"
  fi
  [ -d "$sources/go" ] || die "the Go sources are missing: $sources/go (set SHARED_DIR to the folder holding toolchain/)"
}

# Copies a read-only source folder from ../shared into a scratch folder to build in.
workdir() {
  local src="$1" dir
  dir="$(mktemp -d "$cache/.build-XXXXXX")"
  cp -r "$sources/go/$src/." "$dir/"
  chmod -R u+w "$dir"
  echo "$dir"
}

# build <label> <target-file> <minutes hint> <command...>: runs in the current directory.
timed() {
  local label="$1" hint="$2"
  shift 2
  local t0=$SECONDS
  log "$label: building (cold: $hint)"
  if ! "$@" >"$cache/.build.log" 2>&1; then
    tail -30 "$cache/.build.log" >&2
    die "$label: build failed (full log: $cache/.build.log)"
  fi
  log "$label: built in $((SECONDS - t0))s"
}

resolve() { # name: prints the path of the tool, building it unless --check
  local name="$1" out dir
  case "$name" in
    etcd)
      out="$(from_env_or_path ETCD etcd --version "etcd Version: $ETCD_VERSION")" && { echo "$out"; return; }
      $check_only && { echo "MISSING etcd $ETCD_VERSION (apt-get install etcd-server)"; return; }
      [ "$(id -u)" = 0 ] || die "etcd $ETCD_VERSION is missing; run: sudo apt-get install -y etcd-server"
      log "etcd: installing Debian's etcd-server"
      local t0=$SECONDS
      (apt-get install -y -q --no-install-recommends etcd-server >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends etcd-server >/dev/null; }) ||
        die "apt-get install etcd-server failed"
      # The package starts a system etcd on 2379; the local control plane runs its own.
      systemctl disable --now etcd >/dev/null 2>&1 || pkill -x etcd 2>/dev/null || true
      log "etcd: installed in $((SECONDS - t0))s"
      from_env_or_path ETCD etcd --version "etcd Version: $ETCD_VERSION" || die "etcd-server installed but is not $ETCD_VERSION"
      ;;
    kube-apiserver | kube-controller-manager | kubectl)
      local var
      var="$(echo "$name" | tr 'a-z-' 'A-Z_')"
      local args="--version"
      [ "$name" = kubectl ] && args="version --client"
      out="$(from_env_or_path "$var" "$name" "$args" "v$KUBERNETES_VERSION")" && { echo "$out"; return; }
      out="$cache/kubernetes-$KUBERNETES_VERSION/$name"
      [ -x "$out" ] && { echo "$out"; return; }
      $check_only && { echo "MISSING $name v$KUBERNETES_VERSION (build: about 6-12 min)"; return; }
      need_go
      dir="$(workdir kubernetes)"
      local pkg=.
      [ "$name" != kube-apiserver ] && pkg="k8s.io/kubernetes/cmd/$name"
      (cd "$dir" && timed "$name v$KUBERNETES_VERSION" "$([ "$name" = kube-apiserver ] && echo '6-12 min' || echo '1-3 min')" \
        go build -ldflags "$k8s_ldflags" -o "$dir/$name" "$pkg")
      mkdir -p "$(dirname "$out")" && mv "$dir/$name" "$out" && rm -rf "$dir"
      echo "$out"
      ;;
    pulumi | pulumi-language-nodejs)
      local var
      var="$(echo "$name" | tr 'a-z-' 'A-Z_')"
      if [ "$name" = pulumi ]; then
        out="$(from_env_or_path PULUMI pulumi version "v$PULUMI_VERSION")" && { echo "$out"; return; }
      elif [ -n "${PULUMI_LANGUAGE_NODEJS:-}" ]; then
        echo "$PULUMI_LANGUAGE_NODEJS"; return
      elif command -v pulumi-language-nodejs >/dev/null 2>&1 && [ -n "${pulumi_from_path:-}" ]; then
        command -v pulumi-language-nodejs; return
      fi
      out="$cache/pulumi-$PULUMI_VERSION/$name"
      [ -x "$out" ] && { echo "$out"; return; }
      $check_only && { echo "MISSING $name v$PULUMI_VERSION (build: about 4-7 min)"; return; }
      need_go
      if [ "$name" = pulumi ]; then
        dir="$(workdir pulumi-cli)"
        (cd "$dir" && timed "pulumi v$PULUMI_VERSION" "3.5-6.5 min" go build \
          -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
          -o "$dir/$name" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
      else
        dir="$(workdir pulumi-language-nodejs)"
        (cd "$dir" && timed "pulumi-language-nodejs (for v$PULUMI_VERSION)" "under 1 min after the CLI" \
          go build -ldflags "-s -w" -o "$dir/$name" .)
      fi
      mkdir -p "$(dirname "$out")" && mv "$dir/$name" "$out" && rm -rf "$dir"
      echo "$out"
      ;;
    pulumi-resource-kubernetes | pulumi-resource-kafka | pulumi-resource-random)
      local provider="${name#pulumi-resource-}" var version
      var="$(echo "$name" | tr 'a-z-' 'A-Z_')"
      case "$provider" in
        kubernetes) version="$PULUMI_KUBERNETES_VERSION" ;;
        kafka) version="$PULUMI_KAFKA_VERSION" ;;
        random) version="$PULUMI_RANDOM_VERSION" ;;
      esac
      if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
      out="$cache/pulumi-resource-$provider-$version/$name"
      [ -x "$out" ] && { echo "$out"; return; }
      $check_only && { echo "MISSING $name v$version (build: kubernetes 7-16 min at 5 GiB, kafka 1-8 min, random 1.5-2.5 min)"; return; }
      need_go
      dir="$(workdir "pulumi-provider-$provider")"
      case "$provider" in
        kubernetes)
          (cd "$dir" &&
            go mod download "github.com/pulumi/pulumi-kubernetes/provider/v4@$PULUMI_KUBERNETES_PSEUDO" &&
            cp -r "$(go env GOMODCACHE)/github.com/pulumi/pulumi-kubernetes/provider/v4@$PULUMI_KUBERNETES_PSEUDO" provider-src &&
            chmod -R u+w provider-src &&
            cd provider-src/cmd/pulumi-resource-kubernetes &&
            # What upstream's generate.go does: the schema with its version, both files compact.
            node -e '
              const fs = require("fs");
              const schema = JSON.parse(fs.readFileSync("schema.json", "utf8"));
              schema.version = process.argv[1];
              fs.writeFileSync("schema-embed.json", JSON.stringify(schema));
              fs.writeFileSync("terraform-mapping-embed.json",
                JSON.stringify(JSON.parse(fs.readFileSync("terraform-mapping.json", "utf8"))));
            ' "$version") || die "preparing the kubernetes provider's source failed"
          (cd "$dir" && timed "pulumi-resource-kubernetes v$version" "7-16 min, 5 GiB peak" go build \
            -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$version" \
            -o "$dir/$name" github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes)
          ;;
        kafka)
          (cd "$dir" && CGO_ENABLED=0 timed "pulumi-resource-kafka v$version" "1-8 min" go build \
            -ldflags "-s -w -X github.com/pulumi/pulumi-kafka/provider/v3/pkg/version.Version=$version" \
            -o "$dir/$name" ./cmd/pulumi-resource-kafka)
          ;;
        random)
          (cd "$dir" && CGO_ENABLED=0 timed "pulumi-resource-random v$version" "1.5-2.5 min" go build \
            -ldflags "-s -w -X github.com/pulumi/pulumi-random/provider/v4/pkg/version.Version=$version" \
            -o "$dir/$name" ./cmd/pulumi-resource-random)
          ;;
      esac
      mkdir -p "$(dirname "$out")" && mv "$dir/$name" "$out" && rm -rf "$dir"
      echo "$out"
      ;;
    strimzi-lib)
      if [ -n "${STRIMZI_OPERATOR_LIB:-}" ]; then echo "$STRIMZI_OPERATOR_LIB"; return; fi
      out="$cache/strimzi-operators-$STRIMZI_VERSION/lib"
      [ -f "$out/.complete" ] && { echo "$out"; return; }
      $check_only && { echo "MISSING Strimzi $STRIMZI_VERSION Topic and User Operator jars (Maven: seconds)"; return; }
      command -v mvn >/dev/null 2>&1 || die "Maven is needed for Strimzi's operator jars; run: sudo apt-get install -y maven"
      dir="$(mktemp -d "$cache/.build-XXXXXX")"
      cp -r "$sources/strimzi/." "$dir/" && chmod -R u+w "$dir"
      (cd "$dir" && timed "Strimzi $STRIMZI_VERSION operator jars" "6-12 s" \
        mvn -q -B -f "$dir/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir/lib" -DincludeScope=runtime)
      rm -rf "$out" && mkdir -p "$(dirname "$out")" && mv "$dir/lib" "$out" && touch "$out/.complete" && rm -rf "$dir"
      echo "$out"
      ;;
    jdk)
      local candidate
      for candidate in "${JAVA21_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
        local major
        major="$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
        if [ -n "$major" ] && [ "${major%%.*}" -ge "$JDK_MIN_MAJOR" ]; then
          echo "$candidate"
          return
        fi
      done
      if $check_only; then echo "MISSING a JDK $JDK_MIN_MAJOR or newer (set JAVA21_HOME)"; return; fi
      die "a JDK $JDK_MIN_MAJOR or newer is needed for Strimzi's operators (found none in JAVA21_HOME, JAVA_HOME or /usr/lib/jvm). Install one (e.g. Temurin $JDK_MIN_MAJOR+) and set JAVA21_HOME=<its folder>."
      ;;
  esac
}

# A tool named by its variable must exist and report the pinned version: checked here, in
# the main shell, so that the refusal stops the run (resolve runs in command substitutions).
check_override() { # var version-args pin
  local var="$1" args="$2" pin="$3"
  [ -n "${!var:-}" ] || return 0
  [ -x "${!var}" ] || die "$var=${!var} is not an executable file"
  reports_version "${!var}" "$args" "$pin" || die "$var=${!var} does not report version $pin ('${!var} $args')"
}
check_override ETCD --version "etcd Version: $ETCD_VERSION"
check_override KUBE_APISERVER --version "v$KUBERNETES_VERSION"
check_override KUBE_CONTROLLER_MANAGER --version "v$KUBERNETES_VERSION"
check_override KUBECTL "version --client" "v$KUBERNETES_VERSION"
check_override PULUMI version "v$PULUMI_VERSION"
for var in PULUMI_LANGUAGE_NODEJS PULUMI_RESOURCE_KUBERNETES PULUMI_RESOURCE_KAFKA PULUMI_RESOURCE_RANDOM; do
  if [ -n "${!var:-}" ] && [ ! -x "${!var}" ]; then die "$var=${!var} is not an executable file"; fi
done
if [ -n "${STRIMZI_OPERATOR_LIB:-}" ] && ! ls "$STRIMZI_OPERATOR_LIB"/topic-operator-*.jar >/dev/null 2>&1; then
  die "STRIMZI_OPERATOR_LIB=$STRIMZI_OPERATOR_LIB holds no topic-operator jar"
fi

tools=(etcd kube-apiserver kube-controller-manager kubectl pulumi pulumi-language-nodejs
  pulumi-resource-random pulumi-resource-kafka pulumi-resource-kubernetes strimzi-lib jdk)
started=$SECONDS
declare -A resolved
pulumi_from_path=""
for tool in "${tools[@]}"; do
  path="$(resolve "$tool")" || exit 1
  case "$path" in MISSING\ *) missing+=("${path#MISSING }"); continue ;; esac
  [ "$tool" = pulumi ] && case "$path" in "$cache"/*) ;; *) pulumi_from_path=1 ;; esac
  resolved[$tool]="$path"
done

if $check_only; then
  if [ ${#missing[@]} -gt 0 ]; then
    log "missing (scripts/toolchain.sh builds them, about 45 min cold on 2 cores):"
    for m in "${missing[@]}"; do log "  - $m"; done
    exit 3
  fi
  log "all present ($bin)"
  exit 0
fi

rm -rf "$bin.tmp" && mkdir -p "$bin.tmp"
for tool in "${tools[@]}"; do ln -s "${resolved[$tool]}" "$bin.tmp/$tool"; done
echo "$key" >"$bin.tmp/.key"
rm -rf "$bin" && mv "$bin.tmp" "$bin"
rm -rf "$cache"/.build-* 2>/dev/null || true
if $print_bin; then echo "$bin"; else log "ready in $((SECONDS - started))s: $bin"; fi
