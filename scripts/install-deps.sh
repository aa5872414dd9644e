#!/usr/bin/env bash
# Installs, from Debian's packages, whatever weft needs to build and test and is
# not on this machine yet. Idempotent: does nothing when all is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format ccache
  libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev libssl-dev libpq-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  awscli python3
  chromium  # the console's browser tests (playwright-core drives it)
)
# Node.js and npm build the web console (web/); the machine's own Node is
# used when there is one.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The reference JSONata implementation for asl's differential test
# (tests/jsonata, pinned by its package-lock.json). Quiet when installed.
install_jsonata_reference() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/jsonata"
  local want have
  want="$(sed -n 's/.*"jsonata": "\([^"]*\)".*/\1/p' "$dir/package.json" | head -1)"
  have=""
  if [ -f "$dir/node_modules/jsonata/package.json" ]; then
    have="$(sed -n 's/.*"version": "\([^"]*\)".*/\1/p' "$dir/node_modules/jsonata/package.json" | head -1)"
  fi
  if [ "$want" != "$have" ] && command -v npm >/dev/null 2>&1; then
    echo "install-deps: installing jsonata $want (tests/jsonata)"
    (cd "$dir" && npm ci --silent --no-audit --no-fund >/dev/null)
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  install_jsonata_reference
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_jsonata_reference
