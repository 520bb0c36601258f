#!/usr/bin/env bash
# Footprint of the signer on a Cortex-M4 (see tests/embedded/sign_minimal.cpp):
#  - text bytes that sign_minimal adds over `int main(){return 0;}` built the same way (-Os,
#    and -O2 for the table), both run under QEMU through shared/embedded/run-cortex-m.sh;
#  - no heap: sign_minimal's object file references no allocator (malloc, calloc, realloc,
#    free, operator new/delete), so nothing on the signing path can allocate;
#  - the stack frame of the signing entry point (basic_signer::sign), from -fstack-usage.
# Fails when the program fails, when an allocator is referenced, or when the text or stack
# exceed the budgets given (regression guards; the targets are in the README).
#   check_footprint.sh RUNNER SOURCE_DIR WORK_DIR TEXT_BUDGET STACK_BUDGET
set -uo pipefail
runner=$1 src=$2 work=$3 text_budget=$4 stack_budget=$5
[ -x "$runner" ] || { echo "SKIP: $runner not found (it comes with ../shared/)"; exit 77; }
command -v arm-none-eabi-g++ >/dev/null && command -v qemu-system-arm >/dev/null ||
  { echo "SKIP: arm-none-eabi-g++ or qemu-system-arm missing (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm)"; exit 77; }
mkdir -p "$work"
echo 'int main() { return 0; }' > "$work/empty.cpp"
flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -std=c++17 -fno-exceptions -fno-rtti -ffunction-sections -fdata-sections)
status=0
for opt in -Os -O2; do
  for prog in empty sign_minimal; do
    file=$work/$prog.cpp
    [ "$prog" = sign_minimal ] && file=$src/tests/embedded/sign_minimal.cpp
    CORTEX_M_KEEP=$work/$prog$opt.elf CORTEX_M_CXXFLAGS="$opt" "$runner" "$file" -I "$src/include" >/dev/null 2>"$work/$prog$opt.log"
    rc=$?
    if [ $rc -ne 0 ]; then echo "FAIL: $prog ($opt) exited $rc"; tail -5 "$work/$prog$opt.log"; status=1; fi
  done
  e=$(arm-none-eabi-size "$work/empty$opt.elf" | awk 'NR==2 {print $1}')
  s=$(arm-none-eabi-size "$work/sign_minimal$opt.elf" | awk 'NR==2 {print $1}')
  echo "text $opt: empty program $e bytes, sign_minimal $s bytes, added $((s - e)) bytes"
  if [ "$opt" = -Os ] && [ $((s - e)) -gt "$text_budget" ]; then
    echo "FAIL: sign_minimal adds $((s - e)) bytes at -Os, over the budget of $text_budget"; status=1
  fi
done
# No allocator referenced by the signing code.
arm-none-eabi-g++ "${flags[@]}" -Os -fstack-usage -I "$src/include" -c "$src/tests/embedded/sign_minimal.cpp" \
  -o "$work/sign_minimal.o" || exit 1
alloc=$(arm-none-eabi-nm -u "$work/sign_minimal.o" | grep -E ' (malloc|calloc|realloc|free|_Znw[jm]|_Zna[jm]|_Zdl|_Zda)' || true)
if [ -n "$alloc" ]; then echo "FAIL: the signing code references an allocator:"; echo "$alloc"; status=1
else echo "heap: sign_minimal.o references no allocator (malloc/free/operator new/delete)"; fi
frame=$(grep -E 'result<[^>]*signed_request> [^ ]*basic_signer<[^>]*>::sign\(' "$work/sign_minimal.su" | awk -F'\t' '{print $2}' | head -1)
echo "stack: basic_signer::sign frame $frame bytes (16 headers, -Os, Cortex-M4)"
if [ -z "$frame" ] || [ "$frame" -gt "$stack_budget" ]; then echo "FAIL: stack frame over the budget of $stack_budget"; status=1; fi
if [ $status -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $status
