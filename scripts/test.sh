#!/usr/bin/env bash
# README's test command: installs everything the tests need (Chromium included) and runs them.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Chromium (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  else
    echo "== Chromium is not installed and this user cannot apt-get it; browser tests will skip (they fail under CI=true)" >&2
  fi
fi

# axe-core (the accessibility checker the browser tests run in each page), pinned, from the npm registry.
AXE_VERSION=4.11.1
if [ ! -f .cache/node/node_modules/axe-core/axe.min.js ] || ! grep -q "\"version\": \"$AXE_VERSION\"" .cache/node/node_modules/axe-core/package.json; then
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing npm (Debian packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  if command -v npm >/dev/null 2>&1; then
    echo "== installing axe-core $AXE_VERSION (npm)"
    mkdir -p .cache/node
    (cd .cache/node && npm install --no-audit --no-fund --silent "axe-core@$AXE_VERSION" >/dev/null)
  else
    echo "== npm is not installed; the accessibility tests will skip (they fail under CI=true)" >&2
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test,embeddings,dask]'
exec .venv/bin/python -m pytest "$@"
