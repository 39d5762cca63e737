#!/usr/bin/env bash
# Generates typed cdk8s constructs for the Strimzi CRDs in ../shared/schemas/strimzi into
# charts/imports/ (gitignored). The CRDs are read in place, never copied into the repository:
# they are joined into one multi-document file under .cache/ because cdk8s names its output
# file after the API group, so importing them one by one would keep only the last.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
schemas="$root/../shared/schemas/strimzi"
out="$root/charts/imports"
joined="$root/.cache/crds/strimzi-crds.yaml"
if [ ! -d "$schemas" ]; then
  echo "error: $schemas not found: the shared schemas must be checked out beside this repository" >&2
  exit 1
fi
mkdir -p "$(dirname "$joined")"
: >"$joined"
for crd in "$schemas"/0*-Crd-*.yaml; do
  { echo "---"; cat "$crd"; } >>"$joined"
done
rm -rf "$out"
mkdir -p "$out"
cd "$root"
CDK8S_CHECK_UPGRADE=false cdk8s import --language typescript --output "$out" "$joined" >/dev/null
# prometheus-operator's PodMonitor and PrometheusRule, for the monitoring charts.
monitoring="$root/../shared/schemas/prometheus-operator"
for crd in "$monitoring"/monitoring.coreos.com_{podmonitors,prometheusrules,servicemonitors}.yaml; do
  { echo "---"; cat "$crd"; } 
done >"$root/.cache/crds/monitoring-crds.yaml"
CDK8S_CHECK_UPGRADE=false cdk8s import --language typescript --output "$out" "$root/.cache/crds/monitoring-crds.yaml" >/dev/null
touch "$out/.generated"
