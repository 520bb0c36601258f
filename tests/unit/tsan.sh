#!/usr/bin/env bash
# The key-cache tests (hits, misses, eviction, the remembered string-to-sign block, and several
# threads signing through one shared signer) built with Clang's ThreadSanitizer: a data race
# between the seqlock readers and the writers fails the test. Skips without clang++.
#   tsan.sh SOURCE_DIR WORK_DIR
set -u
src=$1 work=$2
command -v clang++ >/dev/null || { echo "SKIP: clang++ not found (apt-get install clang)"; exit 77; }
mkdir -p "$work"
clang++ -std=c++17 -O1 -g -fsanitize=thread -Wall -Wextra -Werror -I "$src/include" \
  "$src/tests/unit/main.cpp" "$src/tests/unit/test_key_cache.cpp" -pthread -o "$work/key-cache-tsan" || exit 1
TSAN_OPTIONS="halt_on_error=1 exitcode=66" exec "$work/key-cache-tsan"
