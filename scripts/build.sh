#!/usr/bin/env bash
# README's build command: installs newsgen (with the sentence-embedding extra) into .venv and builds the site from articles/ into site/.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[embeddings]'
exec .venv/bin/python build.py "$@"
