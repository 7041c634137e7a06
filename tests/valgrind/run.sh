#!/usr/bin/env bash
# valgrind memcheck over kzv's integration tests, examples and CLI.
#
#   tests/valgrind/run.sh BUILD_DIR        (a release or debugoptimized build)
#
# Runs a chosen set of already built programs of BUILD_DIR under memcheck,
# with the fixtures of $KZV_FIXTURES (default /tmp/kzv-fixtures), and prints
# one line per run: name, memcheck errors, definitely lost bytes/blocks,
# the program's own exit status and seconds. Exits 1 when any run has a
# memcheck error or a definite leak (or the program itself failed), 2 on
# usage errors. tests/valgrind/ffmpeg.supp holds suppressions for known
# benign reports inside FFmpeg / glibc / Mesa only (each one justified there).
#
# CPUs valgrind cannot run FFmpeg on: first a one-line probe runs
# `kzv --version` (which loads libavcodec and everything it links) under
# memcheck. When valgrind stops it with "Unrecognised instruction", memcheck
# cannot run on this CPU at all: the script says which instruction and where,
# runs nothing else and exits 77 (skipped: neither passed nor failed); the
# ASan+LSan pass of `make test` still checks for leaks. A single run that
# valgrind stops the same way inside a system library (not kzv's code) is
# reported as "not tested: …" and skipped; inside kzv's code it fails.
# Every run preloads hwy_timer.c's shim (built as
# BUILD_DIR/tests/valgrind/kzv-vg-hwy-timer.so): it keeps libhwy's load-time
# RDTSCP, which valgrind cannot translate on hosts whose CPUID hides RDTSCP
# (some AMD EPYC VMs), out of the traced process; see hwy_timer.c. That no
# other RDTSCP executes in these runs was checked with rdtscp_sites.py (gdb).
#
# Exit: 0 every run clean, 1 a failure, 2 usage, 77 memcheck not runnable here.
# Environment: KZV_VALGRIND_KEEP=DIR keeps every run's valgrind log in DIR;
# KZV_VALGRIND_ONLY=REGEX runs only the matching run names;
# KZV_VALGRIND_PROBE="PROGRAM [ARGS]" replaces the probe's program (the test
# of the skip branch, tests/valgrind/probe_test.sh, runs unrecognised.c).
# Budget: about 5 minutes on 2 cores (valgrind is 20-50x slower than native).
set -uo pipefail

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
export KZV_FIXTURES=${KZV_FIXTURES:-/tmp/kzv-fixtures}
command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/deps.sh installs it)" >&2; exit 1; }
[ -f "$KZV_FIXTURES/h264.mp4" ] || { echo "valgrind: no fixtures in $KZV_FIXTURES" >&2; exit 1; }

logs=${KZV_VALGRIND_KEEP:-$(mktemp -d)}
mkdir -p "$logs"
[ -n "${KZV_VALGRIND_KEEP:-}" ] || trap 'rm -rf "$logs"' EXIT
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"; [ -n "${KZV_VALGRIND_KEEP:-}" ] || rm -rf "$logs"' EXIT

VG=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --track-origins=no --num-callers=30
    --suppressions="$here/ffmpeg.supp" --child-silent-after-fork=yes)
shim=$build/tests/valgrind/kzv-vg-hwy-timer.so
if [ -f "$shim" ]; then
    VG=(env "LD_PRELOAD=$shim${LD_PRELOAD:+ $LD_PRELOAD}" "${VG[@]}")
else
    echo "valgrind: note: $shim not built; libhwy's RDTSCP is not kept out"
fi

# unrecognised LOG: "INSN at FRAME" for the instruction valgrind could not
# translate (its bytes decoded by objdump when available) and where it was.
unrecognised() {
    local bytes insn="" at
    bytes=$(sed -n 's/^vex amd64->IR: unhandled instruction bytes: //p' "$1" | head -1)
    at=$(sed -n '/valgrind: Unrecognised instruction/,$ s/^==[0-9]*==    at 0x[0-9A-Fa-f]*: //p' "$1" | head -1)
    if [ -n "$bytes" ] && command -v objdump >/dev/null; then
        local bin b; bin=$(mktemp)
        # shellcheck disable=SC2059
        for b in $bytes; do printf "\\x${b#0x}"; done >"$bin"
        insn=$(objdump -D -b binary -m i386:x86-64 "$bin" 2>/dev/null |
               awk -F'\t' '/^ +0:/ {gsub(/ +$/, "", $2); gsub(/ +/, " ", $3); print $3 " (" $2 ")"; exit}')
        rm -f "$bin"
    fi
    printf '%s at %s' "${insn:-instruction bytes ${bytes:-unknown}}" "${at:-an unknown place}"
}

# The probe: can valgrind start a program that loads FFmpeg on this CPU?
read -r -a probe <<<"${KZV_VALGRIND_PROBE:-$build/tools/kzv --version}"
# (in a subshell whose stderr is closed: bash's "Illegal instruction" job
# message would otherwise precede the line that explains it)
("${VG[@]}" --log-file="$logs/probe.log" "${probe[@]}" >"$logs/probe.out" 2>&1; exit $?) 2>/dev/null
rc=$?
if [ "$rc" -ne 0 ]; then
    if grep -q 'valgrind: Unrecognised instruction' "$logs/probe.log"; then
        echo "valgrind: not runnable on this CPU ($(unrecognised "$logs/probe.log"), running ${probe[*]}); leaks are covered by ASan+LSan"
        exit 77
    fi
    echo "valgrind: the probe (${probe[*]}) failed with exit $rc:"
    grep -E '^==[0-9]+== ' "$logs/probe.log" | head -30
    tail -5 "$logs/probe.out"
    exit 1
fi

bad=0; skipped=0; total=0; t_all=$(date +%s)
printf '%-34s %7s %22s %5s %6s\n' run errors "definitely lost" exit secs

# vg NAME PROGRAM ARGS…: one memcheck run (the program must exist); the
# program must exit with $EXPECT (default 0).
vg() {
    local name=$1 expect=${EXPECT:-0}; shift
    [ -n "${KZV_VALGRIND_ONLY:-}" ] && ! [[ $name =~ $KZV_VALGRIND_ONLY ]] && return 0
    total=$((total + 1))
    if [ ! -x "$1" ]; then
        printf '%-34s missing program %s\n' "$name" "$1"; bad=$((bad + 1)); return
    fi
    local log="$logs/$name.log" t0 rc
    t0=$(date +%s%N)
    ("${VG[@]}" --log-file="$log" "$@" >"$logs/$name.out" 2>&1; exit $?) 2>/dev/null
    rc=$?
    local secs errors lost
    secs=$(( ($(date +%s%N) - t0) / 100000000 ))
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tail -1 | tr -d ,)
    lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\1 B in \2 blocks/p' "$log" | tail -1 | tr -d ,)
    [ -n "$lost" ] || lost="0 B in 0 blocks"
    [ -n "$errors" ] || errors="?"
    local verdict=ok where=""
    if grep -q 'valgrind: Unrecognised instruction' "$log"; then
        # valgrind's limit when it is in a system library; kzv's own code
        # jumping to garbage looks the same, so there it is a failure
        where=$(unrecognised "$log")
        if [[ $where =~ \(in\ (/usr)?/lib/ ]]; then verdict=SKIP; else verdict="FAIL (unrecognised instruction)"; fi
    elif [ "$errors" != 0 ] || [ "${lost%% *}" != 0 ]; then
        verdict=FAIL
    elif [ "$rc" -ne "$expect" ]; then
        verdict="FAIL (program)"
    fi
    printf '%-34s %7s %22s %5s %4d.%d %s\n' "$name" "$errors" "$lost" "$rc" $((secs / 10)) $((secs % 10)) "$verdict"
    if [ "$verdict" = SKIP ]; then
        skipped=$((skipped + 1))
        echo "not tested: valgrind $name: valgrind cannot translate $where"
    elif [ "$verdict" != ok ]; then
        bad=$((bad + 1))
        # the first reports, to say what went wrong without the log
        grep -E '^==[0-9]+== ' "$log" | grep -vE 'Memcheck|Copyright|Using Valgrind|Command:|^==[0-9]+== $' | head -40
        tail -5 "$logs/$name.out"
    fi
}

F=$KZV_FIXTURES
# Core: the decoder against ffprobe (ffprobe runs as a child, not traced).
vg timing-h264.mp4        "$build/tests/core/test_timing" h264.mp4
vg timing-vp9.webm        "$build/tests/core/test_timing" vp9.webm
vg timing-reschange.ts    "$build/tests/core/test_timing" reschange.ts
vg timing-mpeg4.avi       "$build/tests/core/test_timing" mpeg4.avi
vg errors                 "$build/tests/core/test_errors"
# Inputs (memory, stalled FIFOs, interrupt) and the processor pipeline.
vg io                     "$build/tests/io/test_io"
vg processor              "$build/tests/pipeline/test_processor"
# The examples, as a user would run them.
for ex in decode_basic queue_threads processor_uploader; do
    vg "example-$ex"      "$build/examples/$ex" "$F/h264.mp4"
done
# The CLI on two fixtures, one decoding thread.
for fx in h264.mp4 hevc10.mkv; do
    vg "kzv-probe-$fx"    "$build/tools/kzv" probe "$F/$fx" --json
    vg "kzv-validate-$fx" "$build/tools/kzv" validate "$F/$fx" --threads 1
    vg "kzv-decode-$fx"   "$build/tools/kzv" decode "$F/$fx" --threads 1 -o "$scratch/$fx.y4m"
done
vg kzv-decode-png         "$build/tools/kzv" decode "$F/h264.mp4" --threads 1 --frames 5 -o "$scratch/png"
vg kzv-probe-corrupt      "$build/tools/kzv" probe "$F/corrupt_mid.mkv"
# The way back: the encoder's own test and a short transcode (scaler, encoder, remux).
vg encoder                "$build/tests/encode/test_encoder"
vg kzv-transcode          "$build/tools/kzv" transcode "$F/h264.mp4" "$scratch/transcode.mkv" --scale 2 --frames 12 \
                              --preset ultrafast -q
EXPECT=1 vg kzv-validate-truncated "$build/tools/kzv" validate "$F/truncated.mp4" --threads 1   # 1: frame loss found
EXPECT=3 vg kzv-probe-garbage     "$build/tools/kzv" probe "$F/garbage.mp4"                     # 3: not a media file

# Every input a fuzzer found (tests/fuzz/regressions/TARGET), through its target.
for dir in "$here"/../fuzz/regressions/*/; do
    t=$(basename "$dir")
    [ -x "$build/tests/fuzz/replay_$t" ] && vg "fuzz-regressions-$t" "$build/tests/fuzz/replay_$t" "$dir"
done

# Hostile inputs: a sample of tests/hostile's corpus (every 12th file) through
# the API (open, decode, index, seek, close) when the hostile test is built.
if [ -n "${KZV_VALGRIND_ONLY:-}" ] && ! [[ hostile-sample =~ $KZV_VALGRIND_ONLY ]]; then
    :   # not selected: no corpus to generate
elif [ -x "$build/tests/hostile/test_hostile" ]; then
    corpus=$scratch/corpus
    if "$here/../hostile/make_corpus.sh" "$F" "$corpus" >/dev/null; then
        mkdir -p "$scratch/sample"
        # no AV1: valgrind 3.19 aborts inside libdav1d's assembly ("VEX
        # temporary storage exhausted"), a valgrind limit, not a memory error
        awk -F'\t' 'NR == 1 || (NR % 12 == 2 && $3 !~ /av1/)' "$corpus/MANIFEST.tsv" >"$scratch/sample/MANIFEST.tsv"
        tail -n +2 "$scratch/sample/MANIFEST.tsv" | cut -f1 | while read -r f; do ln -s "$corpus/$f" "$scratch/sample/$f"; done
        KZV_SANITIZER=valgrind vg hostile-sample "$build/tests/hostile/test_hostile" "$scratch/sample"
    else
        echo "hostile-sample: corpus generation failed"; bad=$((bad + 1)); total=$((total + 1))
    fi
else
    echo "not tested: valgrind hostile-sample: $build/tests/hostile/test_hostile not built"
fi

echo "valgrind: $total runs, $bad failed, $skipped not runnable, $(( $(date +%s) - t_all )) s"
[ "$bad" -eq 0 ] || exit 1
[ "$total" -gt 0 ] && [ "$skipped" -eq "$total" ] && exit 77
exit 0
