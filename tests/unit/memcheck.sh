#!/usr/bin/env bash
# Runs a unit-test binary under valgrind's memcheck: a read of uninitialised memory (a length
# taken from a buffer never written, say) or outside a heap block fails the test, which the
# sanitizer build does not catch for uninitialised stack bytes. The allocation-counting test
# is left out: it replaces operator new, as valgrind itself does. Skips without valgrind.
#   memcheck.sh TEST_BINARY
set -u
command -v valgrind >/dev/null || { echo "SKIP: valgrind not found (apt-get install valgrind)"; exit 77; }
exec valgrind -q --error-exitcode=9 "$1" '~*allocates nothing*'
