#!/usr/bin/env bash
# Cross-builds the unit tests for AArch64 (Debian: g++-aarch64-linux-gnu) and runs them under
# qemu-user (Debian: qemu-user) on a CPU with the SHA2 extension, so the ARMv8 SHA-256 path is
# tested on every run. Exit 77 (skipped) when the cross compiler or qemu is missing.
#   tests/cross/aarch64.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1 work=$2
cxx=aarch64-linux-gnu-g++
if ! command -v "$cxx" >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
  echo "SKIP: $cxx or qemu-aarch64 not found (apt-get install g++-aarch64-linux-gnu qemu-user)"
  exit 77
fi
mkdir -p "$work"
"$cxx" -std=c++17 -O2 -Wall -Wextra -Wpedantic -Werror -static -I"$src/include" \
  "$src"/tests/unit/main.cpp "$src"/tests/unit/test_crypto.cpp "$src"/tests/unit/test_signer.cpp \
  "$src"/tests/unit/test_bad_input.cpp "$src"/tests/unit/test_key_cache.cpp -pthread -o "$work/unit-aarch64"
# -cpu max has the SHA2 extension: the armv8_crypto test case runs, and auto_crypto uses it.
exec qemu-aarch64 -cpu max "$work/unit-aarch64"
