#!/usr/bin/env bash
# Long-job soak (part of `make bench`, never of the tests):
#   bench/soak.sh BUILD_DIR [FRAMES]
# Runs bench/soak.c (kzv_processor + the gl uploader's headless context + a
# DROP_OLDEST queue of 4) over a generated file of FRAMES frames (default
# 100,000: 160x120, 50 fps, H.264 with B-frames, cached in build/bench-corpus/)
# and samples the process's RSS every second. Prints the samples' figures:
# peak, median of the first and of the last quarter of the run, growth from
# the first to the last quarter; fails (exit 1) when the counters do not add
# up (every uploaded texture released, none live, decoded = processed +
# dropped) or when the last quarter's median RSS exceeds the first quarter's
# by more than 10 % + 8 MiB (a leak of one small object per frame would show
# as megabytes over 100,000 frames). Built with plain gcc against
# BUILD_DIR/src/libkzv.so.
#
# Then the transcode soak: `kzv transcode` (BUILD_DIR/tools/kzv, libx264
# ultrafast, the AAC audio copied) of one hour of generated video
# (KZV_SOAK_TRANSCODE_SECONDS, default 3600: testsrc2 320x180 at 24 fps,
# 86,400 frames, with a sine tone; cached in build/bench-corpus/), its RSS
# sampled every second and judged the same way; also fails when the output
# does not hold every frame. KZV_SOAK_TRANSCODE=0 skips it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:?usage: bench/soak.sh BUILD_DIR [FRAMES]}" && pwd)
frames=${2:-100000}

[ -f "$build/src/libkzv.so" ] || { echo "soak: $build/src/libkzv.so not found (build kzv first)" >&2; exit 1; }
corpus=$root/build/bench-corpus
file=$corpus/soak_160x120_${frames}f.mp4
mkdir -p "$corpus"
if [ ! -s "$file" ]; then
    echo "soak: encoding $(basename "$file") ..."
    ffmpeg -nostdin -hide_banner -v error -y \
        -f lavfi -i "testsrc2=size=160x120:rate=50" -frames:v "$frames" \
        -c:v libx264 -preset ultrafast -bf 3 -g 250 -pix_fmt yuv420p "$file.part.mp4"
    mv "$file.part.mp4" "$file"
fi
bin=$build/bench-soak
gcc -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -I"$root/include" "$here/soak.c" -o "$bin" \
    -L"$build/src" -lkzv -Wl,-rpath,"$build/src"

# judge SAMPLES LABEL SECONDS FRAMES: the RSS figures of one run; exit 1 when growing.
judge() {
    /usr/bin/python3 - "$@" <<'PY'
import statistics, sys
kb = [int(x) for x in open(sys.argv[1]) if x.strip()]
path, secs, frames = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if len(kb) < 8:
    print(f"soak {path}: only {len(kb)} RSS samples ({secs} s): too short to judge")
    sys.exit(0)
q = len(kb) // 4
first, last = statistics.median(kb[:q]), statistics.median(kb[-q:])
mib = lambda k: k / 1024
growth = last - first
ok = last <= first * 1.10 + 8 * 1024
print(f"soak {path}: {frames} frames in {secs} s, {len(kb)} RSS samples: peak {mib(max(kb)):.1f} MiB, "
      f"median first quarter {mib(first):.1f} MiB, last quarter {mib(last):.1f} MiB, "
      f"growth {mib(growth):+.1f} MiB: {'flat' if ok else 'GROWING'}")
sys.exit(0 if ok else 1)
PY
}

# sample PID SAMPLES: append PID's RSS (KiB) to SAMPLES every second until it exits.
sample() {
    while kill -0 "$1" 2>/dev/null; do
        awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null >>"$2" || true
        sleep 1
    done
}

for path in ${KZV_SOAK_PATHS:-rgb yuv}; do
    samples=$(mktemp)
    t0=$(date +%s)
    "$bin" "$file" "$path" >"$samples.out" 2>"$samples.err" &
    pid=$!
    sample "$pid" "$samples"
    rc=0; wait "$pid" || rc=$?
    secs=$(( $(date +%s) - t0 ))
    cat "$samples.out"
    [ "$rc" -eq 0 ] || { cat "$samples.err"; echo "soak $path: FAILED (exit $rc)"; exit 1; }
    judge "$samples" "$path" "$secs" "$frames" || exit 1
    rm -f "$samples" "$samples.out" "$samples.err"
done

# ---- transcode soak ----------------------------------------------------------
[ "${KZV_SOAK_TRANSCODE:-1}" != 0 ] || exit 0
kzv=$build/tools/kzv
[ -x "$kzv" ] || { echo "soak: $kzv not found (build kzv first)" >&2; exit 1; }
tsecs=${KZV_SOAK_TRANSCODE_SECONDS:-3600}
tframes=$(( tsecs * 24 ))
src=$corpus/soak_transcode_320x180_24fps_${tsecs}s.mkv
if [ ! -s "$src" ]; then
    echo "soak: encoding $(basename "$src") ($tframes frames) ..."
    ffmpeg -nostdin -hide_banner -v error -y \
        -f lavfi -i "testsrc2=size=320x180:rate=24" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
        -t "$tsecs" -c:v libx264 -preset ultrafast -bf 3 -g 240 -pix_fmt yuv420p \
        -c:a aac -b:a 64k "$src.part.mkv"
    mv "$src.part.mkv" "$src"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
samples=$work/rss
t0=$(date +%s)
"$kzv" transcode -q --codec libx264 --preset ultrafast "$src" "$work/out.mkv" >"$work/log" 2>&1 &
pid=$!
sample "$pid" "$samples"
rc=0; wait "$pid" || rc=$?
secs=$(( $(date +%s) - t0 ))
[ "$rc" -eq 0 ] || { cat "$work/log"; echo "soak transcode: FAILED (exit $rc)"; exit 1; }
got=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$work/out.mkv")
[ "$got" = "$tframes" ] || { echo "soak transcode: FAILED: $got of $tframes frames in the output"; exit 1; }
echo "soak transcode: $(( $(stat -c %s "$work/out.mkv") / 1048576 )) MiB written, every frame there"
judge "$samples" "transcode" "$secs" "$tframes" || exit 1
