#!/usr/bin/env bash
# EVM tests: compiles the exported Vyper verifier and runs it in titanoboa's in-process EVM.
# Installs pinned vyper + titanoboa from PyPI into .build/evm-venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.build/evm-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import boa" 2>/dev/null; then
    command -v python3 >/dev/null || { echo "evm-test: python3 is required" >&2; exit 1; }
    python3 -m venv "$VENV" 2>/dev/null || { apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$VENV"; }
    "$VENV/bin/pip" install -q --disable-pip-version-check "vyper==0.4.3" "titanoboa==0.2.8"
fi
BIN="${ZKINFER_BIN:-.build/release/zkinfer}"
[ -x "$BIN" ] || swift build -c release --product zkinfer
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$VENV/bin/python" Tests/evm/test_evm_verifier.py "$BIN" Tests/ZKFormatsTests/Fixtures/groth16 "$WORK"
