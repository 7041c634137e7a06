#!/usr/bin/env bash
# Make the seed corpora of the libFuzzer targets (tests/fuzz/fuzz_*.c) with
# the ffmpeg CLI: tiny files (64x48, 6 frames, a few KB each) per container
# family, with the features that make each demuxer and the index work (B-frames,
# fragments, packed MPEG-4, PES without pts, ...).
#
#   tests/fuzz/make_corpus.sh [DIR]     (default tests/fuzz/corpus)
#
# The result is committed (tests/fuzz/corpus/TARGET/, a few hundred KB in
# all), so that every build replays it (meson test fuzz-TARGET) and fuzzing
# starts from it. Regenerate after changing this script; FFmpeg's encoders
# are run single-threaded and bit-exact, so the files are stable for one
# FFmpeg version. Needs ffmpeg with libx264, libx265, libvpx; /usr/bin/python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/corpus}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

FF=(ffmpeg -nostdin -hide_banner -loglevel error -y)
SRC=(-f lavfi -i testsrc2=size=64x48:rate=25:duration=0.24)
BX=(-fflags +bitexact -flags:v +bitexact -map_metadata -1)
X264=(-c:v libx264 -preset ultrafast -threads 1 -bf 2 -g 3 -pix_fmt yuv420p)
X265=(-c:v libx265 -preset ultrafast -x265-params log-level=error:keyint=3:frame-threads=1:pools=none -pix_fmt yuv420p)
MPEG4=(-c:v mpeg4 -bf 2 -g 3 -q:v 20)
MPEG2=(-c:v mpeg2video -bf 2 -g 3 -q:v 20)

# seed TARGET NAME ARGS...: encode the test pattern with ARGS into TARGET/NAME.
seed() {
    local t=$1 name=$2; shift 2
    mkdir -p "$out/$t"
    "${FF[@]}" "${SRC[@]}" "$@" "${BX[@]}" "$work/$name"
    mv "$work/$name" "$out/$t/$name"
}

seed mp4 h264_bframes.mp4 "${X264[@]}"
seed mp4 h264_frag.mp4 "${X264[@]}" -movflags +frag_keyframe+empty_moov+default_base_moof
seed mp4 mpeg4.mov "${MPEG4[@]}"
seed mp4 hevc.mp4 "${X265[@]}" -tag:v hvc1
seed mkv h264.mkv "${X264[@]}"
seed mkv vp8.webm -c:v libvpx -b:v 50k -threads 1
seed mkv vp9.webm -c:v libvpx-vp9 -b:v 50k -threads 1 -row-mt 0 -deadline realtime -cpu-used 8
seed mkv mpeg4.mkv "${MPEG4[@]}"
seed avi mpeg4_bframes.avi "${MPEG4[@]}"
seed avi h264.avi "${X264[@]}"
seed avi mjpeg.avi -c:v mjpeg -q:v 20 -pix_fmt yuvj420p
mkdir -p "$out/avi"
/usr/bin/python3 "$here/../media/pack_divx.py" "$out/avi/mpeg4_bframes.avi" "$out/avi/mpeg4_packed.avi"
seed mpegts h264.ts "${X264[@]}" -f mpegts
seed mpegts mpeg2.ts "${MPEG2[@]}" -f mpegts
seed mpegts hevc.ts "${X265[@]}" -f mpegts
seed mpegps mpeg2.vob "${MPEG2[@]}" -f vob
seed mpegps mpeg1.mpg -c:v mpeg1video -bf 1 -q:v 20 -f mpeg
seed flv h264.flv "${X264[@]}"
seed flv flv1.flv -c:v flv1 -q:v 20
seed h264 bframes.h264 "${X264[@]}" -f h264
seed h264 intra.h264 -c:v libx264 -preset ultrafast -threads 1 -g 1 -pix_fmt yuv444p -f h264
seed hevc bframes.hevc "${X265[@]}" -f hevc

# fuzz_access: byte 0 (demuxer: 0 probe, 1 mov, 2 matroska, 3 avi, 4 mpegts,
# 5 mpeg, 6 flv, 7 h264; bit 4: count_frames), 32 request bytes, the media.
mkdir -p "$out/access"
/usr/bin/python3 - "$out" <<'EOF'
import os, sys
out = sys.argv[1]
# (op, arg hi, arg lo, extra) x 8; ops: 0 seek_frame, 1 exact seek, 2 keyframe
# seek, 3 frame_at, 4 batch, 5 batch by time, 6 range, 7 next, 8 index, 9 stats.
plans = {
    "forward": [(0, 0, 2, 0), (7, 0, 0, 3), (1, 0, 4, 1), (4, 0, 1, 4), (6, 0, 1, 0x13), (2, 0, 3, 0), (3, 0, 5, 2), (0, 0, 5, 0)],
    "backward": [(0, 0, 6, 0), (0, 0, 1, 0), (5, 0, 3, 3), (1, 0, 2, 3), (4, 1, 7, 2), (8, 0, 0, 0), (2, 0, 1, 1), (9, 0, 0, 0)],
    "hostile": [(1, 0, 0, 7), (1, 0, 1, 7), (1, 0, 2, 7), (0, 0, 0, 15), (0, 0, 0, 31), (4, 0, 9, 4), (6, 0, 0, 0x07), (3, 0, 3, 7)],
}
media = [("h264.mp4", 1, "mp4/h264_bframes.mp4"), ("mpeg4.avi", 3, "avi/mpeg4_bframes.avi"),
         ("packed.avi", 3 | 16, "avi/mpeg4_packed.avi"), ("mpeg2.vob", 5, "mpegps/mpeg2.vob"),
         ("h264.ts", 4, "mpegts/h264.ts"), ("vp9.webm", 0, "mkv/vp9.webm"), ("raw.h264", 7 | 16, "h264/bframes.h264")]
for i, (name, sel, path) in enumerate(media):
    data = open(os.path.join(out, path), "rb").read()
    for j, (plan, ops) in enumerate(plans.items()):
        if (i + j) % 2 and plan != "hostile":
            continue
        head = bytes([sel | (j << 5)]) + bytes(b for op in ops for b in op)
        open(os.path.join(out, "access", f"{plan}-{name}"), "wb").write(head + data)
EOF

# fuzz_writers: width-1, height-1, format, rate num/den, sar num/den, range, pixels.
mkdir -p "$out/writers"
/usr/bin/python3 - "$out" <<'EOF'
import os, sys
out = sys.argv[1]
px = bytes(range(256)) * 4
cases = {
    "rgb24-15x9": (14, 8, 0, 25, 1, 1, 1, 0), "rgba-3x2": (2, 1, 1, 30, 1, 0, 0, 1),
    "rgb48-7x5": (6, 4, 2, 24, 1, 4, 3, 2), "yuv420p-16x16": (15, 15, 3, 25, 1, 1, 1, 1),
    "yuv422p-odd": (8, 2, 4, 0, 0, 0, 0, 0), "yuv444p-1x1": (0, 0, 5, 60, 1, 1, 1, 2),
    "yuv420p10-odd": (12, 6, 6, 25, 1, 1, 1, 1), "yuv422p10-8x8": (7, 7, 7, 25, 2, 16, 11, 0),
    "yuv444p10-5x3": (4, 2, 8, 1, 1, 1, 1, 1), "nv12-odd": (10, 4, 9, 25, 1, 1, 1, 0),
    "p010-4x4": (3, 3, 10, 25, 1, 1, 1, 0), "bad-format": (3, 3, 99, 25, 1, 1, 1, 0),
    "auto-format": (3, 3, 11, 25, 1, 1, 1, 0), "none-format": (3, 3, 255, 25, 1, 1, 1, 0),
}
for name, head in cases.items():
    open(os.path.join(out, "writers", name), "wb").write(bytes(head) + px[: 64 + 7 * len(name)])
EOF

# fuzz_encode: codec/container/flags, formats, size, time bases (8 bytes),
# then 4 bytes per frame (pts step and changes, argument, pixel seed, colour).
mkdir -p "$out/encode"
/usr/bin/python3 - "$out" <<'EOF'
import os, sys
out = sys.argv[1]
def head(codec, ext, fmt=0, ffmt=3, w=16, h=16, tb=(0, 0), ftb=(1, 25), dirpath=0, abort=0, extra=0, declared=0):
    return bytes([codec | ext << 2 | dirpath << 4 | abort << 5 | extra << 6, fmt | ffmt << 4 | declared << 7,
                  (w - 1) & 255, (h - 1) & 255, tb[0] & 255, tb[1] & 255, ftb[0] & 255, ftb[1] & 255])
steady = bytes([0, 0, 9, 4] * 6)
cases = {
    # codec 0 ffv1, 1 rawvideo, 2 mpeg4, 3 libx264; ext 0 mkv, 1 mp4, 2 avi, 3 nut
    "ffv1-mkv": head(0, 0) + steady,
    "raw-nut-rgb": head(1, 3, ffmt=0, w=7, h=5) + steady,
    "mpeg4-avi-bf": head(2, 2, w=32, h=24, extra=1) + steady,
    "x264-mp4-nv12": head(3, 1, ffmt=6, w=18, h=10) + steady,
    "x264-mkv-rgb48-10bit": head(3, 0, fmt=7, ffmt=2, w=9, h=9) + steady,
    "mpeg4-mp4-backwards": head(2, 1, extra=1) + bytes([0, 0, 1, 0, 0, 0, 2, 0, 3, 0, 3, 0, 0, 0, 4, 0]),
    "ffv1-mkv-repeat": head(0, 0) + bytes([0, 0, 1, 0, 2, 0, 2, 0]),
    "ffv1-nut-sizechange": head(0, 3) + bytes([0, 0, 1, 0, 8, 0x55, 2, 0, 0, 0, 3, 0]),
    "ffv1-mkv-formatchange": head(0, 0, ffmt=4) + bytes([0, 0, 1, 0, 16, 0x30, 2, 0]),
    "mpeg4-avi-int64max": head(2, 2) + bytes([0, 0, 1, 0, 4, 0, 2, 0, 0, 0, 3, 0]),
    "raw-mkv-int64min": head(1, 0) + bytes([5, 0, 1, 0, 6, 0, 2, 0, 0, 0, 3, 0]),
    "ffv1-mp4-bigpts": head(0, 1) + bytes([7, 0x7f, 1, 0, 7, 0x7f, 2, 0, 1, 9, 3, 0]),
    "mpeg4-nut-frametb": head(2, 3, tb=(1, 90000)) + bytes([32, 1, 1, 0, 33, 200, 2, 0, 32, 9, 3, 0]),
    "x264-mp4-abort": head(3, 1, abort=1) + steady,
    "ffv1-mkv-renamefails": head(0, 0, dirpath=1) + steady,
    "ffv1-mkv-declared": head(0, 0, w=0xc0 | 8, h=0xc0 | 8, declared=1) + bytes([0, 0, 1, 0, 128, 0, 2, 0]),
    "raw-avi-notb": head(1, 2, ftb=(0, 0), tb=(1, 30)) + steady,
    "ffv1-mkv-badtb": head(0, 0, tb=(-1, 25)) + steady,
    "mpeg4-avi-nullframe": head(2, 2) + bytes([64, 0, 0, 0, 0, 0, 1, 0, 64, 0, 0, 0]),
    "x264-mkv-badoption": head(3, 0, extra=3) + steady,
    "mpeg4-mkv-gop1": head(2, 0, extra=2, ffmt=1) + steady,
    "empty-close": head(0, 0),
}
for name, data in cases.items():
    open(os.path.join(out, "encode", name), "wb").write(data)
EOF

# fuzz_args: byte 0 the command (0 probe, 1 frames, 2 decode, 3 validate,
# 4 sheet, 5 index, 6 bench, 7 transcode, 8 join, 9 play), then its
# arguments separated by NUL bytes.
mkdir -p "$out/args"
/usr/bin/python3 - "$out" <<'EOF'
import os, sys
out = sys.argv[1]
cases = {
    "probe-json": (0, ["--json", "--count", "in.mkv"]),
    "probe-hwaccel": (0, ["--hwaccel"]),
    "frames-stream": (1, ["--stream", "1", "--threads=2", "in.mp4"]),
    "decode-start": (2, ["-o", "out/frame-%06d.png", "--start", "1.5", "--frames", "3", "in.mkv"]),
    "decode-start-frame": (2, ["--start-frame=7", "-n", "1", "-f", "yuv420p10", "-o", "x.y4m", "in.avi"]),
    "decode-raw": (2, ["-oout.raw", "--format", "p010", "--queue", "4096", "--policy", "drop", "-q", "in.ts"]),
    "decode-bad": (2, ["--frames", "-1", "--start", "nan", "--start-frame", "99999999999999999999", "in"]),
    "decode-hw": (2, ["--hw", "auto", "--no-autorotate", "--progress", "-", "--", "-in.mkv"]),
    "validate-seeks": (3, ["--seeks", "50", "--seed", "3", "--json", "in.mkv"]),
    "sheet": (4, ["--cols", "4", "--rows", "3", "-w", "640", "-o", "s.jpg", "in.mkv"]),
    "index-save": (5, ["--save", "i.kzi", "--load", "i.kzi", "-j", "in.mp4"]),
    "bench": (6, ["--frames", "100", "--json", "--format", "rgb48", "in.mkv"]),
    "help": (2, ["--help"]),
    "ambiguous": (2, ["--st", "1", "--format=", "--frames=1=2", "in"]),
    "transcode-filter": (7, ["--filter-cmd", "cat", "--filter-size", "128x96", "--filter-format", "rgb48",
                             "--filter-timeout", "0.5", "-x", "bf=2", "--crf", "18.5", "in.mkv", "out.mkv"]),
    "transcode-range": (7, ["--start-frame", "10", "-n", "20", "--pix-fmt", "yuv420p10le", "--scale=2",
                            "--no-audio", "--language", "jpn,eng", "--progress", "-", "--codec", "ffv1", "in", "out"]),
    "transcode-bad": (7, ["--scale", "2", "--filter-cmd", "x", "--start", "1", "--start-frame", "1",
                          "--filter-size", "99999999999x1", "--qp", "-1", "a"]),
    "join": (8, ["--source", "src.mkv", "--source-stream=1", "--container", "matroska", "out.mkv", "p0.mkv",
                 "p1.mkv"]),
    "play-headless": (9, ["--headless", "--uploader", "memory", "--queue", "8", "--policy", "block", "--late-ms",
                          "40", "--speed", "0.5", "--size", "640x360", "--duration", "1e-3", "--fast", "in.mkv"]),
    "play-window": (9, ["--render", "--snapshot", "s.png", "--hold-last", "--start-paused", "--gl-path", "rgb",
                        "--stream", "0", "--verify", "-n", "5", "in.mkv"]),
}
for name, (cmd, args) in cases.items():
    open(os.path.join(out, "args", name), "wb").write(bytes([cmd]) + b"\0".join(a.encode() for a in args))
EOF

du -sh "$out"
