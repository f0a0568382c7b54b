#!/usr/bin/env bash
# Install the lowest versions pyproject.toml allows for every direct dependency (dev extra
# included) into a throw-away venv and run the test suite there: the lower bounds stay true.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(mktemp -d)/lowest"
python -m pip install --quiet uv
python -m uv venv --quiet --python "$(command -v python)" "$venv"
python -m uv pip install --quiet --python "$venv/bin/python" --resolution lowest-direct -e '.[dev]'
"$venv/bin/python" -m pytest -p no:cacheprovider "$@"
