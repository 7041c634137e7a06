#!/usr/bin/env bash
# Generate kzv's test media into DIR with the ffmpeg CLI (no downloads).
#
#   tests/media/make_fixtures.sh DIR
#
# Idempotent: a fixture that already exists is skipped. Every file is written
# under a temporary name inside DIR and renamed into place only when complete,
# so an interrupted run never leaves a half-written fixture behind. Prints one
# line per generated file. Fixture names are a contract used by the tests
# (tests/core/, tests/cli/, tests/pipeline/): keep them.
#
# Needs: ffmpeg with libx264, libx265, libvpx, libsvtav1 (or libaom-av1), the
# native aac and mpeg4 encoders, optionally libmp3lame; python3 for the byte
# patching and the seeded random data. Runs in well under a minute on 2 cores.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
mkdir -p "$1"
dir=$(cd "$1" && pwd)

command -v ffmpeg >/dev/null || { echo "make_fixtures: ffmpeg not found" >&2; exit 1; }
command -v python3 >/dev/null || { echo "make_fixtures: python3 not found" >&2; exit 1; }

# Scratch space for intermediate files, inside DIR so the final rename is
# atomic (same file system); removed on exit, also on failure or interrupt.
work=$(mktemp -d "$dir/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

FF=(ffmpeg -nostdin -hide_banner -loglevel error -y)
# Reproducible output: no encoder strings, no creation times.
BITEXACT=(-fflags +bitexact -flags:v +bitexact -map_metadata -1)
X264=(-c:v libx264 -preset veryfast -threads 2)
X265=(-c:v libx265 -preset ultrafast)
BT709=(-colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv)

ENCODERS=$(ffmpeg -hide_banner -encoders 2>/dev/null)
have_encoder() { grep -q " $1 " <<<"$ENCODERS"; }

# testsrc2 SIZE RATE DURATION: lavfi input arguments (moving test pattern).
testsrc2() { echo "-f lavfi -i testsrc2=size=$1:rate=$2:duration=$3"; }

# fixture NAME FUNC: unless DIR/NAME exists, run `FUNC TMP` (TMP is a scratch file
# with NAME's extension, so ffmpeg picks the right muxer) and rename TMP to
# DIR/NAME when FUNC succeeded.
fixture() {
    local name=$1 fn=$2
    local out="$dir/$name"
    [ -e "$out" ] && return 0
    local tmp="$work/${name%.*}.part.${name##*.}"
    rm -f "$tmp"
    "$fn" "$tmp"
    [ -f "$tmp" ] || { echo "make_fixtures: $name was not produced" >&2; exit 1; }
    mv -f "$tmp" "$out"
    echo "generated $name ($(stat -c %s "$out") bytes)"
}

# ------------------------------------------------------------ good media

# H.264 High, B-frames, 25 fps, 2 s, tagged BT.709 limited.
gen_h264() {
    "${FF[@]}" $(testsrc2 320x240 25 2) "${X264[@]}" -bf 3 -g 25 -pix_fmt yuv420p \
        "${BT709[@]}" "${BITEXACT[@]}" "$1"
}
fixture h264.mp4 gen_h264

# HEVC Main 10 (yuv420p10le).
gen_hevc10() {
    "${FF[@]}" $(testsrc2 320x240 25 2) "${X265[@]}" -x265-params log-level=error \
        -pix_fmt yuv420p10le "${BT709[@]}" "${BITEXACT[@]}" "$1"
}
fixture hevc10.mkv gen_hevc10

# HEVC 4:2:2 10-bit (Main 4:2:2 10 profile).
gen_hevc10_422() {
    "${FF[@]}" $(testsrc2 320x240 25 1) "${X265[@]}" -x265-params log-level=error \
        -pix_fmt yuv422p10le "${BT709[@]}" "${BITEXACT[@]}" "$1"
}
fixture hevc10_422.mkv gen_hevc10_422

gen_vp8() {
    "${FF[@]}" $(testsrc2 320x240 25 2) -c:v libvpx -deadline realtime -cpu-used 8 \
        -b:v 600k -pix_fmt yuv420p "${BITEXACT[@]}" "$1"
}
fixture vp8.webm gen_vp8

gen_vp9() {
    "${FF[@]}" $(testsrc2 320x240 25 2) -c:v libvpx-vp9 -deadline realtime -cpu-used 8 \
        -b:v 600k -pix_fmt yuv420p "${BT709[@]}" "${BITEXACT[@]}" "$1"
}
fixture vp9.webm gen_vp9

# AV1 (SVT-AV1 when available: fast; libaom otherwise). Both need even sizes
# (SVT-AV1 also at least 64x64): 320x240 is fine.
gen_av1() {
    export SVT_LOG=1  # errors only (SVT-AV1 prints its banner otherwise)
    if have_encoder libsvtav1; then
        "${FF[@]}" $(testsrc2 320x240 25 2) -c:v libsvtav1 -preset 12 -crf 40 \
            -pix_fmt yuv420p "${BT709[@]}" "${BITEXACT[@]}" "$1"
    else
        "${FF[@]}" $(testsrc2 320x240 25 2) -c:v libaom-av1 -cpu-used 8 -usage realtime \
            -crf 40 -b:v 0 -pix_fmt yuv420p "${BT709[@]}" "${BITEXACT[@]}" "$1"
    fi
}
fixture av1.mkv gen_av1

# MPEG-4 Part 2 in AVI (timestamps from the AVI index, DTS order).
gen_mpeg4() {
    "${FF[@]}" $(testsrc2 320x240 25 2) -c:v mpeg4 -q:v 4 -pix_fmt yuv420p \
        "${BITEXACT[@]}" "$1"
}
fixture mpeg4.avi gen_mpeg4

# Variable frame rate: 25 fps source with a drop pattern (gaps of 40, 80 and
# 120 ms) plus one long 500 ms pause; timestamps passed through unchanged.
gen_vfr() {
    "${FF[@]}" $(testsrc2 320x240 25 3) \
        -vf "select='not(between(mod(n\,9)\,3\,4))*not(eq(mod(n\,13)\,7))',setpts='PTS+gte(N\,30)*0.5/TB'" \
        -fps_mode passthrough "${X264[@]}" -bf 2 -pix_fmt yuv420p "${BT709[@]}" \
        "${BITEXACT[@]}" "$1"
}
fixture vfr.mkv gen_vfr

# Odd size 641x361. H.264 cannot code an odd-sized 4:2:0 picture (its crop
# unit is 2 for 4:2:0 and 4:2:2), so this is High 4:4:4 Predictive.
# testsrc2 rounds odd sizes down, so crop a 642x362 picture in 4:4:4.
ODDSRC=(-f lavfi -i "testsrc2=size=642x362:rate=25:duration=1,format=yuv444p,crop=641:361:0:0")
gen_odd() {
    "${FF[@]}" "${ODDSRC[@]}" "${X264[@]}" -pix_fmt yuv444p "${BT709[@]}" \
        "${BITEXACT[@]}" "$1"
}
fixture odd.mp4 gen_odd

# Odd size 4:2:0: VP9 can code it (chroma planes 321x181).
gen_odd420() {
    "${FF[@]}" "${ODDSRC[@]}" -c:v libvpx-vp9 -deadline realtime -cpu-used 8 \
        -b:v 800k -pix_fmt yuv420p "${BT709[@]}" "${BITEXACT[@]}" "$1"
}
fixture odd420.webm gen_odd420

# Mid-stream resolution change in MPEG-TS: 1 s of 320x240 then 1 s of
# 480x270, joined with the concat demuxer (in-band SPS/PPS in TS).
gen_reschange() {
    "${FF[@]}" $(testsrc2 320x240 25 1) "${X264[@]}" -bf 0 -g 25 -pix_fmt yuv420p \
        "${BT709[@]}" "${BITEXACT[@]}" "$work/rc_a.ts"
    "${FF[@]}" -f lavfi -i "testsrc2=size=480x270:rate=25:duration=1,hue=h=120" \
        "${X264[@]}" -bf 0 -g 25 -pix_fmt yuv420p "${BT709[@]}" "${BITEXACT[@]}" "$work/rc_b.ts"
    printf "file '%s'\nfile '%s'\n" "$work/rc_a.ts" "$work/rc_b.ts" >"$work/rc.txt"
    "${FF[@]}" -f concat -safe 0 -i "$work/rc.txt" -c copy "${BITEXACT[@]}" "$1"
}
fixture reschange.ts gen_reschange

# Non-zero start time: every timestamp shifted by 10 s.
gen_startoffset() {
    "${FF[@]}" $(testsrc2 320x240 25 1) "${X264[@]}" -bf 2 -pix_fmt yuv420p \
        "${BT709[@]}" -output_ts_offset 10 "${BITEXACT[@]}" "$1"
}
fixture startoffset.mp4 gen_startoffset

gen_422() {
    "${FF[@]}" $(testsrc2 320x240 25 1) "${X264[@]}" -pix_fmt yuv422p "${BT709[@]}" \
        "${BITEXACT[@]}" "$1"
}
fixture h264_422.mkv gen_422

gen_444() {
    "${FF[@]}" $(testsrc2 320x240 25 1) "${X264[@]}" -pix_fmt yuv444p "${BT709[@]}" \
        "${BITEXACT[@]}" "$1"
}
fixture h264_444.mkv gen_444

# Display matrix: rotate 90 degrees clockwise for display. FFmpeg 5.1's CLI
# no longer turns `-metadata:s:v rotate=90` into a display matrix (6.0 has
# -display_rotation), so the tkhd matrix is patched to the one movenc used to
# write for rotate=90: [0 1 0; -1 0 0; height 0 1] (ffprobe: rotation -90,
# i.e. 90 degrees clockwise).
gen_rotate() {
    "${FF[@]}" $(testsrc2 320x240 25 1) "${X264[@]}" -pix_fmt yuv420p "${BT709[@]}" \
        "${BITEXACT[@]}" "$work/plain.mp4"
    python3 - "$work/plain.mp4" "$1" 240 <<'EOF'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
height = int(sys.argv[3])
i = data.find(b"tkhd")
if i < 4:
    sys.exit("rotate90.mp4: no tkhd box")
box = i - 4
off = box + (60 if data[i + 4] == 1 else 48)          # matrix offset, version 1 / 0
m = [0, 0x10000, 0, -0x10000, 0, 0, height << 16, 0, 0x40000000]
data[off:off + 36] = struct.pack(">9i", *m)
open(sys.argv[2], "wb").write(data)
EOF
}
fixture rotate90.mp4 gen_rotate

# Flat colour patches for colour-accuracy tests: a few frames of one colour,
# coded at high quality (-qp 4, High profile) so the planes stay flat.
# flat SIZE PIXFMT OUT [tag/filter args…]
flat() {
    local size=$1 pixfmt=$2 out=$3; shift 3
    "${FF[@]}" -f lavfi -i "color=c=0xC04080:size=$size:rate=25:duration=0.2" "$@" \
        -pix_fmt "$pixfmt" "${BITEXACT[@]}" "$out"
}
gen_flat_bt601() {
    flat 640x480 yuv420p "$1" -vf scale=out_color_matrix=bt601:out_range=tv "${X264[@]}" -qp 4 \
        -colorspace smpte170m -color_primaries smpte170m -color_trc smpte170m -color_range tv
}
fixture flat_bt601.mp4 gen_flat_bt601
gen_flat_bt709() {
    flat 1280x720 yuv420p "$1" -vf scale=out_color_matrix=bt709:out_range=tv "${X264[@]}" -qp 4 \
        "${BT709[@]}"
}
fixture flat_bt709.mp4 gen_flat_bt709
gen_flat_full() {
    flat 1280x720 yuv420p "$1" -vf scale=out_color_matrix=bt709:out_range=pc "${X264[@]}" -qp 4 \
        -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range pc
}
fixture flat_full.mp4 gen_flat_full
gen_flat_bt2020() {
    flat 640x360 yuv420p10le "$1" -vf scale=out_color_matrix=bt2020:out_range=tv \
        "${X265[@]}" -x265-params log-level=error:lossless=1 \
        -colorspace bt2020nc -color_primaries bt2020 -color_trc bt2020-10 -color_range tv
}
fixture flat_bt2020_10.mkv gen_flat_bt2020
gen_flat_untagged_hd() {
    flat 1280x720 yuv420p "$1" -vf scale=out_color_matrix=bt709:out_range=tv "${X264[@]}" -qp 4
}
fixture flat_untagged_hd.mp4 gen_flat_untagged_hd
gen_flat_untagged_sd() {
    flat 640x480 yuv420p "$1" -vf scale=out_color_matrix=bt601:out_range=tv "${X264[@]}" -qp 4
}
fixture flat_untagged_sd.mp4 gen_flat_untagged_sd

# ------------------------------------------- media for the Python package
# py_clip.mp4 is the seed's "input.mp4" (its snippets seek to 10.5 s), with an
# audio stream as real files have; py_short.mp4 its "video.mp4" (the real-time
# snippet sleeps a frame's duration per frame); py_tiny.mp4 a small clip with
# short GOPs for loops over many frames (leak checks, batches).
gen_py_clip() {
    "${FF[@]}" $(testsrc2 160x90 24 12) -f lavfi -i sine=frequency=440:duration=12 \
        "${X264[@]}" -g 48 -bf 2 -pix_fmt yuv420p "${BT709[@]}" -c:a aac -b:a 32k -shortest \
        "${BITEXACT[@]}" "$1"
}
fixture py_clip.mp4 gen_py_clip
gen_py_short() {
    "${FF[@]}" $(testsrc2 160x90 24 1) "${X264[@]}" -g 12 -pix_fmt yuv420p "${BT709[@]}" "${BITEXACT[@]}" "$1"
}
fixture py_short.mp4 gen_py_short
gen_py_tiny() {
    "${FF[@]}" $(testsrc2 64x64 25 8) "${X264[@]}" -g 25 -bf 2 -pix_fmt yuv420p "${BITEXACT[@]}" "$1"
}
fixture py_tiny.mp4 gen_py_tiny

# ------------------------------------------------------------- bad inputs

gen_empty() { : >"$1"; }
fixture empty.mp4 gen_empty

# 64 KiB of seeded pseudo-random bytes (reproducible; no container signature).
gen_garbage() {
    python3 - "$1" <<'PY'
import random, sys
r = random.Random(20240521)
open(sys.argv[1], "wb").write(bytes(r.getrandbits(8) for _ in range(65536)))
PY
}
fixture garbage.mp4 gen_garbage

gen_text() {
    printf 'This is not a video.\nkzv must refuse it with KZV_EINVALIDDATA.\n%.0s' $(seq 1 40) >"$1"
}
fixture text.mp4 gen_text

gen_audio_only() {
    "${FF[@]}" -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=1" -c:a aac -b:a 64k \
        "${BITEXACT[@]}" "$1"
}
fixture audio_only.m4a gen_audio_only

# MP3 with an attached cover picture: the picture is a "video" stream with the
# attached_pic disposition and must not count as video.
gen_audio_cover() {
    "${FF[@]}" -f lavfi -i "testsrc2=size=64x64:rate=1:duration=1" -frames:v 1 "$work/cover.png"
    "${FF[@]}" -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=1" -i "$work/cover.png" \
        -map 0:a -map 1:v -c:a libmp3lame -b:a 64k -c:v copy -disposition:v attached_pic \
        -id3v2_version 3 "${BITEXACT[@]}" "$1"
}
if have_encoder libmp3lame; then
    fixture audio_cover.mp3 gen_audio_cover
fi

# Cut at 60%: a faststart MP4 keeps its moov (front), so the head decodes.
gen_truncated() {
    "${FF[@]}" $(testsrc2 320x240 25 2) "${X264[@]}" -bf 3 -pix_fmt yuv420p "${BT709[@]}" \
        -movflags +faststart "${BITEXACT[@]}" "$work/full_fs.mp4"
    head -c $(( $(stat -c %s "$work/full_fs.mp4") * 6 / 10 )) "$work/full_fs.mp4" >"$1"
}
fixture truncated.mp4 gen_truncated

# Cut at 60% without faststart: the moov atom (at the end) is gone.
gen_truncated_moov() {
    "${FF[@]}" $(testsrc2 320x240 25 2) "${X264[@]}" -bf 3 -pix_fmt yuv420p "${BT709[@]}" \
        "${BITEXACT[@]}" "$work/full_nofs.mp4"
    head -c $(( $(stat -c %s "$work/full_nofs.mp4") * 6 / 10 )) "$work/full_nofs.mp4" >"$1"
}
fixture truncated_moov.mp4 gen_truncated_moov

# H.264 in Matroska with seeded random bytes written over the slice data of
# every third packet in the middle 30% of the stream (the Matroska structure,
# the length prefixes and the first bytes of each slice stay intact): the
# decoder reports errors on those packets, conceals, and decoding goes on.
gen_corrupt_mid() {
    "${FF[@]}" $(testsrc2 320x240 25 3) "${X264[@]}" -bf 2 -g 25 -b:v 800k -pix_fmt yuv420p \
        "${BT709[@]}" "${BITEXACT[@]}" "$work/clean.mkv"
    ffprobe -v error -select_streams v:0 -show_entries packet=pos,size -of csv=p=0 \
        "$work/clean.mkv" >"$work/clean.pkts"
    python3 - "$work/clean.mkv" "$work/clean.pkts" "$1" <<'PY'
import random, sys
data = bytearray(open(sys.argv[1], "rb").read())
# csv fields come in ffprobe's section order: size, pos
pkts = [tuple(map(int, l.split(",")[:2])) for l in open(sys.argv[2]) if l.strip()]
r = random.Random(7)
n = len(pkts)
hit = 0
for k in range(int(n * 0.35), int(n * 0.65), 3):
    size, pos = pkts[k]
    start = pos + 4 + 4 + 12   # block header (4), AVCC length (4), NAL + slice header start
    end = pos + 4 + size - 4
    if end - start < 64:
        continue
    span = min(end - start, 1500)
    data[start:start + span] = bytes(r.getrandbits(8) for _ in range(span))
    hit += 1
if hit < 3:
    sys.exit("corrupt_mid.mkv: too few packets to corrupt")
open(sys.argv[3], "wb").write(data)
PY
}
fixture corrupt_mid.mkv gen_corrupt_mid

# AVI whose video fourcc is patched to 'ZZZZ' (strh fccHandler and strf
# biCompression): FFmpeg knows no decoder for it.
gen_unsupported() {
    "${FF[@]}" $(testsrc2 160x120 25 1) -c:v mpeg4 -q:v 5 "${BITEXACT[@]}" "$work/plain.avi"
    python3 - "$work/plain.avi" "$1" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
patched = 0
i = data.find(b"strh")
if i >= 0 and data[i + 8:i + 12] == b"vids":
    data[i + 12:i + 16] = b"ZZZZ"; patched += 1
j = data.find(b"strf", i)
if j >= 0:
    data[j + 8 + 16:j + 8 + 20] = b"ZZZZ"; patched += 1   # BITMAPINFOHEADER.biCompression
if patched != 2:
    sys.exit("unsupported.avi: could not find strh/strf to patch")
open(sys.argv[2], "wb").write(data)
PY
}
fixture unsupported.avi gen_unsupported

exit 0
