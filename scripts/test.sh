#!/usr/bin/env bash
# The whole test suite: type check, lint, formatting, then every vitest project (unit tests,
# Pulumi mock tests, promtool tests, and the integration tests against the real local cluster).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n== %s ==\n' "$*"; }
step "typecheck (tsc --noEmit)"
tsc --noEmit -p .
step "lint (eslint)"
eslint --max-warnings=0 .
step "format (prettier --check)"
prettier --check . >/dev/null || { prettier --check .; exit 1; }
step "tests (vitest)"
vitest run "$@"
