#!/usr/bin/env bash
# Installs the system packages zkinfer builds against, when they are missing (Debian/Ubuntu, as root or via sudo).
set -euo pipefail
need=()
pkg-config --exists gmp 2>/dev/null || need+=(libgmp-dev)
pkg-config --exists libsodium 2>/dev/null || need+=(libsodium-dev)
pkg-config --exists sqlite3 2>/dev/null || need+=(libsqlite3-dev)  # GRDB (the prover service's job store)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "zkinfer: installing ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
