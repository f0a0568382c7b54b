#!/usr/bin/env bash
# Zuora's own Python SDK against the emulator: install orderspec with zuora-sdk into a throw-away
# venv (the SDK pins old urllib3/certifi, so it stays out of the dev extra) and run its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(mktemp -d)/zuora-sdk"
python -m pip install --quiet uv
python -m uv venv --quiet --python "$(command -v python)" "$venv"
python -m uv pip install --quiet --python "$venv/bin/python" -e '.[dev]' 'zuora-sdk>=3.21'
ORDERSPEC_REQUIRE_SDK=1 "$venv/bin/python" -m pytest -p no:cacheprovider -W ignore::DeprecationWarning -W ignore::UserWarning \
  tests/test_emulator_sdk.py "$@"
