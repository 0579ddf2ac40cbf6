#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD=${BUILD_DIR:-build}
# The npm client test needs its packages; install them once (offline cache afterwards).
if command -v npm >/dev/null 2>&1 && [ -f tests/npm/package.json ] && [ ! -d tests/npm/node_modules ]; then
  (cd tests/npm && npm install --no-audit --no-fund --loglevel=error) || echo "test: npm install failed; npm client tests will report it"
fi
cd "$BUILD" && ctest --output-on-failure -j 2 --timeout 900
