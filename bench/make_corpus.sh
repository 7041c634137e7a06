#!/usr/bin/env bash
# Generate the benchmark corpus (cached): bench/make_corpus.sh [OUT_DIR]
# OUT_DIR defaults to build/bench-corpus under the repository root. Files that
# already exist are kept; a missing encoder is skipped with a message.
#   h264_1080p.mp4      1080p24 H.264 High, ~10 Mb/s, GOP 240, 3 B-frames, 10 s
#   h264_2160p.mp4      2160p24 H.264, ~30 Mb/s, 5 s
#   hevc10_1080p.mkv    1080p24 HEVC Main 10 (yuv420p10le), 5 s
#   vp9_1080p.webm      1080p24 VP9, 5 s
#   av1_1080p.mkv       1080p24 AV1 (SVT-AV1, else libaom), 5 s
# Content: testsrc2 with film-like noise, so the bit rate and the decoder's
# work look like real video rather than flat test patterns.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:-$root/build/bench-corpus}
mkdir -p "$out"
command -v ffmpeg >/dev/null || { echo "make_corpus: ffmpeg not found" >&2; exit 1; }
encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null || true)
has() { grep -q " $1 " <<<"$encoders"; }

src() { # size seconds
    echo "testsrc2=size=$1:rate=24,noise=alls=12:allf=t+u,format=yuv420p"
}

make() { # name encoder-check ffmpeg-args...
    local name=$1 enc=$2; shift 2
    if [[ -s $out/$name ]]; then echo "make_corpus: $name cached"; return 0; fi
    if ! has "$enc"; then echo "make_corpus: SKIP $name (encoder $enc not available)"; return 0; fi
    echo "make_corpus: encoding $name ..."
    local t0=$SECONDS
    if ffmpeg -nostdin -hide_banner -v error -y "$@" "$out/.tmp.$name"; then
        mv "$out/.tmp.$name" "$out/$name"
        echo "make_corpus: $name done in $((SECONDS - t0)) s ($(du -h "$out/$name" | cut -f1))"
    else
        rm -f "$out/.tmp.$name"
        echo "make_corpus: FAILED $name" >&2
    fi
}

make h264_1080p.mp4 libx264 -f lavfi -i "$(src 1920x1080)" -t 10 \
    -c:v libx264 -preset veryfast -profile:v high -b:v 10M -maxrate 12M -bufsize 20M \
    -g 240 -keyint_min 240 -sc_threshold 0 -bf 3 -pix_fmt yuv420p \
    -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv -f mp4
make h264_2160p.mp4 libx264 -f lavfi -i "$(src 3840x2160)" -t 5 \
    -c:v libx264 -preset ultrafast -b:v 30M -g 240 -bf 3 -pix_fmt yuv420p \
    -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv -f mp4
make hevc10_1080p.mkv libx265 -f lavfi -i "$(src 1920x1080)" -t 5 \
    -c:v libx265 -preset ultrafast -x265-params log-level=error:keyint=240 -b:v 8M -pix_fmt yuv420p10le \
    -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv -f matroska
make vp9_1080p.webm libvpx-vp9 -f lavfi -i "$(src 1920x1080)" -t 5 \
    -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -row-mt 1 -b:v 6M -g 240 -pix_fmt yuv420p \
    -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv -f webm
if has libsvtav1; then
    make av1_1080p.mkv libsvtav1 -f lavfi -i "$(src 1920x1080)" -t 5 \
        -c:v libsvtav1 -preset 12 -b:v 5M -g 240 -pix_fmt yuv420p \
        -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv -f matroska
else
    make av1_1080p.mkv libaom-av1 -f lavfi -i "$(src 1920x1080)" -t 5 \
        -c:v libaom-av1 -usage realtime -cpu-used 10 -b:v 5M -g 240 -pix_fmt yuv420p \
        -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv -f matroska
fi
ls -l "$out"
