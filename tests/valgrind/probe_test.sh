#!/usr/bin/env bash
# tests/valgrind/run.sh's start-up probe, each branch for real (meson test
# 'valgrind-probe'):
#  1. pointed at unrecognised.c's program (KZV_VALGRIND_PROBE), valgrind stops
#     on an instruction it cannot translate: run.sh says "not runnable on this
#     CPU" with the instruction and where, runs nothing else, exits 77;
#  2. the real probe (kzv --version: FFmpeg and everything it links, loaded
#     under memcheck with the hwy shim) passes on this machine;
#  3. the shim binds: libhwy's reference to hwy::platform::TimerResolution
#     resolves to kzv-vg-hwy-timer.so, natively and under valgrind (without
#     the shim, to libhwy itself).
# Usage: probe_test.sh BUILD_DIR VG_UNRECOGNISED SHIM KZV
set -uo pipefail
build=$(readlink -f "$1") unrec=$(readlink -f "$2") shim=$(readlink -f "$3") kzv=$(readlink -f "$4")
here=$(cd "$(dirname "$0")" && pwd)
command -v valgrind >/dev/null || { echo "skipped: valgrind is not installed (scripts/deps.sh test installs it)"; exit 77; }
fails=0 checks=0
ok()   { checks=$((checks + 1)); echo "ok   $*"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT

# 1. the skip branch
KZV_VALGRIND_PROBE="$unrec" bash "$here/run.sh" "$build" >"$out/skip" 2>&1
rc=$?
sed 's/^/    /' "$out/skip"
check "unrecognised instruction: run.sh exits 77 (got $rc)" test "$rc" -eq 77
check "it says valgrind is not runnable on this CPU, and that ASan+LSan cover leaks" \
    grep -q '^valgrind: not runnable on this CPU (.*); leaks are covered by ASan+LSan$' "$out/skip"
check "it names the instruction (vpaddd on zmm0, bytes 62 f1 7d 48 fe c0)" \
    grep -q 'vpaddd %zmm0,%zmm0,%zmm0 (62 f1 7d 48 fe c0)' "$out/skip"
check "it names where (evex_vpaddd in $unrec)" grep -qF "at evex_vpaddd (in $unrec)" "$out/skip"
check "nothing else ran (no run table)" bash -c '! grep -q "definitely lost" "$1"' _ "$out/skip"

# 2. the pass branch: the real probe on this CPU (no run selected)
KZV_VALGRIND_ONLY='^no such run$' bash "$here/run.sh" "$build" >"$out/pass" 2>&1
rc=$?
sed 's/^/    /' "$out/pass"
if [ "$rc" -eq 77 ]; then
    echo "not tested: the valgrind probe's pass branch: $(grep '^valgrind: not runnable' "$out/pass")"
else
    check "kzv --version under memcheck: the probe passes (exit $rc)" test "$rc" -eq 0
    check "0 runs selected, none failed" grep -q '^valgrind: 0 runs, 0 failed, 0 not runnable' "$out/pass"
fi

# 3. the shim's binding
hwy=$(ldd "$kzv" | awk '/libhwy\.so/ {print $3; exit}')
if [ -z "$hwy" ]; then
    echo "not tested: the hwy shim's binding: this FFmpeg does not load libhwy"
else
    sym=_ZN3hwy8platform15TimerResolutionEv
    bound() { grep -E "binding file [^ ]*libhwy\.so[^ ]* \[0\] to $1 \[0\]: normal symbol \`$sym' \[HWY_0\]" "$2" >/dev/null; }
    LD_DEBUG=bindings "$kzv" --version >/dev/null 2>"$out/plain"
    check "without the shim, libhwy's TimerResolution binds to libhwy" bound "[^ ]*libhwy\.so[^ ]*" "$out/plain"
    LD_PRELOAD=$shim LD_DEBUG=bindings "$kzv" --version >/dev/null 2>"$out/native"
    check "with the shim preloaded, it binds to the shim" bound "$shim" "$out/native"
    LD_PRELOAD=$shim LD_DEBUG=bindings valgrind -q --tool=none "$kzv" --version >/dev/null 2>"$out/vg"
    check "under valgrind too" bound "$shim" "$out/vg"
fi
echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
