#!/usr/bin/env bash
# Installs what the tests need (Debian packages) when missing, then builds and runs the whole
# test suite: GCC (Release) and Clang (Debug, AddressSanitizer + UBSan), both at
# -Wall -Wextra -Wpedantic -Werror. Usage: tools/run_tests.sh   (from anywhere)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)

# ---- Debian packages -----------------------------------------------------------------------
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
command -v clang++ >/dev/null || need+=(clang)
command -v python3 >/dev/null || need+=(python3)
command -v valgrind >/dev/null || need+=(valgrind)                           # memcheck tests
have_pkg catch2 || [ -f /usr/include/catch2/catch.hpp ] || need+=(catch2)
command -v aarch64-linux-gnu-g++ >/dev/null || need+=(g++-aarch64-linux-gnu)  # ARMv8 SHA path,
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)                      # run under qemu-user
for p in gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm; do
  have_pkg "$p" || need+=("$p")                                               # Cortex-M tests
done
# botocore for the differential test: the first python3 that has it, else Debian's.
python=""
for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null && "$py" -c 'import botocore' 2>/dev/null; then python=$(command -v "$py"); break; fi
done
if [ -z "$python" ]; then need+=(python3-botocore); python=/usr/bin/python3; fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${need[*]}; run: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "== installing ${need[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ -n "$python" ] && [ -x "$python" ] || python=$(command -v python3)

# ---- build and test ------------------------------------------------------------------------
run_suite() {  # name, tests to exclude (ctest -E regex, or ""), extra cmake args...
  local name=$1 exclude=$2; shift 2
  echo "== [$name] configure and build"
  cmake -S . -B "build/ci-$name" -DPython3_EXECUTABLE="$python" "$@" >"build-ci-$name.log" 2>&1 ||
    { cat "build-ci-$name.log"; exit 1; }
  cmake --build "build/ci-$name" -j "$jobs" >>"build-ci-$name.log" 2>&1 ||
    { tail -n 60 "build-ci-$name.log"; exit 1; }
  rm -f "build-ci-$name.log"
  echo "== [$name] ctest"
  ctest --test-dir "build/ci-$name" --output-on-failure -j "$jobs" ${exclude:+-E "$exclude"}
}
mkdir -p build
run_suite gcc "" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++
# The sanitizer build skips what does not depend on its compiler (the AArch64 cross build,
# the Cortex-M runs, the ThreadSanitizer build and the packaging checks run in the GCC build)
# and valgrind, which does not run sanitized binaries.
run_suite clang-sanitize "aarch64-qemu|cmake-consumers|cortex-m|memcheck|tsan" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
  -DSIGV4KIT_BUILD_BENCHMARKS=OFF
