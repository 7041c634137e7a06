#!/usr/bin/env bash
# Random-access latency, kzv against FFMS2: bench/seek_bench.sh BUILD_DIR [N] [SEED]
#
# Builds bench/seek_bench.c with plain gcc against BUILD_DIR/src/libkzv.a
# (build kzv first: meson setup BUILD_DIR && ninja -C BUILD_DIR) and FFMS2
# (libffms2-dev; installed with apt-get when missing and running as root),
# makes the corpus file once (cached in build/bench-corpus/):
#   seek_h264_1080p_40s.mp4  1080p24 H.264 High, ~10 Mb/s, GOP 240, 3 B-frames, 40 s
# and runs N (default 100) random frame accesses, the same seeded list for
# both tools. Prints a table: index time, mean / median / p95 per access,
# amortized mean (index time spread over the N accesses), and how far the
# two tools' pictures agree. Never part of the tests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:?usage: bench/seek_bench.sh BUILD_DIR [N] [SEED]}" && pwd)
n=${2:-100}
seed=${3:-0x5EEDBA5E}

lib=$build/src/libkzv.a
[ -f "$lib" ] || { echo "seek_bench: $lib not found (build kzv first)" >&2; exit 1; }

if ! pkg-config --exists ffms2; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y libffms2-dev >/dev/null 2>&1 ||
            { apt-get update >/dev/null && apt-get install -y libffms2-dev >/dev/null; }
    fi
    pkg-config --exists ffms2 || { echo "seek_bench: FFMS2 (libffms2-dev) not installed" >&2; exit 1; }
fi

corpus=$root/build/bench-corpus
file=$corpus/seek_h264_1080p_40s.mp4
mkdir -p "$corpus"
if [ ! -s "$file" ]; then
    echo "seek_bench: encoding $(basename "$file") (about 1–2 minutes) ..."
    ffmpeg -nostdin -hide_banner -v error -y \
        -f lavfi -i "testsrc2=size=1920x1080:rate=24,noise=alls=12:allf=t+u,format=yuv420p" -t 40 \
        -c:v libx264 -preset veryfast -profile:v high -b:v 10M -maxrate 12M -bufsize 20M \
        -g 240 -keyint_min 240 -sc_threshold 0 -bf 3 -pix_fmt yuv420p \
        -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv \
        -f mp4 "$file.tmp"
    mv "$file.tmp" "$file"
fi

# libkzv.a may carry the GL uploader: link EGL/GLES when pkg-config knows them.
gl_libs=$(pkg-config --libs egl glesv2 2>/dev/null || true)
exe=$build/bench/seek_bench
mkdir -p "$(dirname "$exe")"
gcc -std=c11 -O2 -Wall -Wextra -Werror -I"$root/include" -I"$root/src" \
    $(pkg-config --cflags ffms2 libavutil) "$here/seek_bench.c" -o "$exe" \
    "$lib" $(pkg-config --libs ffms2 libavformat libavcodec libswscale libavutil) $gl_libs -lm -lpthread

"$exe" "$file" "$n" "$seed"
