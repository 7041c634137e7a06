#!/usr/bin/env bash
# Generate the seek-specific test media (streams on which exact seeking is
# hard) into DIR with the ffmpeg CLI (no downloads).
#
#   tests/media/make_seek_fixtures.sh DIR
#
# Same conventions as make_fixtures.sh: idempotent (an existing fixture is
# skipped), every file written under a temporary name inside DIR and renamed
# into place when complete, one line printed per generated file. Fixture
# names are a contract with tests/seek/meson.build: keep them.
#
# Each fixture is small (160x120 or 320x240, 4–12 s) and the whole set takes
# a few seconds on 2 cores. Needs: ffmpeg with libx264 and libx265, and
# /usr/bin/python3 (pack_divx.py).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
mkdir -p "$1"
dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

command -v ffmpeg >/dev/null || { echo "make_seek_fixtures: ffmpeg not found" >&2; exit 1; }

work=$(mktemp -d "$dir/.seekwork.XXXXXX")
trap 'rm -rf "$work"' EXIT

FF=(ffmpeg -nostdin -hide_banner -loglevel error -y)
BITEXACT=(-fflags +bitexact -flags:v +bitexact -map_metadata -1)
X264=(-c:v libx264 -preset veryfast -threads 2 -pix_fmt yuv420p)
X265=(-c:v libx265 -preset ultrafast -pix_fmt yuv420p)

ENCODERS=$(ffmpeg -hide_banner -encoders 2>/dev/null)
have_encoder() { grep -q " $1 " <<<"$ENCODERS"; }

# testsrc2 SIZE RATE DURATION: lavfi input arguments (moving test pattern:
# every frame differs, so a wrong frame never hashes like the right one).
testsrc2() { echo "-f lavfi -i testsrc2=size=$1:rate=$2:duration=$3"; }

# fixture NAME FUNC: unless DIR/NAME exists, run `FUNC TMP` and rename TMP to
# DIR/NAME when FUNC succeeded (TMP keeps NAME's extension for the muxer).
fixture() {
    local name=$1 fn=$2
    local out="$dir/$name"
    [ -e "$out" ] && return 0
    local tmp="$work/${name%.*}.part.${name##*.}"
    rm -f "$tmp"
    "$fn" "$tmp"
    [ -f "$tmp" ] || { echo "make_seek_fixtures: $name was not produced" >&2; exit 1; }
    mv -f "$tmp" "$out"
    echo "generated $name ($(stat -c %s "$out") bytes)"
}

# H.264 open GOP: non-IDR I-frames with a recovery point, whose leading
# B-frames (displayed before the I-frame) reference the previous GOP. A seek
# to such a B-frame must start from the GOP before. 10 s, 24 fps.
gen_opengop() {
    "${FF[@]}" $(testsrc2 160x120 24 10) "${X264[@]}" \
        -x264-params open-gop=1:keyint=24:min-keyint=24:bframes=3:b-pyramid=normal:scenecut=0 \
        "${BITEXACT[@]}" "$1"
}
fixture seek_opengop.mkv gen_opengop

# MP4 with an edit list: a stream-copy cut at a non-keyframe time. The mov
# demuxer then returns leading packets (from the keyframe before the cut)
# flagged discard / with negative pts, and the first displayed frame is not
# the first decoded one. B-frames make the usual B-frame edit too.
gen_editlist() {
    local long="$work/editlist_long.mp4"
    "${FF[@]}" $(testsrc2 160x120 25 8) "${X264[@]}" -bf 3 -g 50 -keyint_min 50 -sc_threshold 0 \
        "${BITEXACT[@]}" "$long"
    "${FF[@]}" -ss 1.3 -i "$long" -c copy "${BITEXACT[@]}" "$1"
}
fixture seek_editlist.mp4 gen_editlist

# Matroska with sparse cues: GOP of 120 frames (4.8 s) so the Cues list only
# two points, cues written at the end; every exact seek lands far before
# its target and must decode forward across long runs of B-frames.
gen_sparsecues() {
    "${FF[@]}" $(testsrc2 160x120 25 8) "${X264[@]}" -bf 3 -g 120 -keyint_min 120 -sc_threshold 0 \
        -cues_to_front 0 -cluster_time_limit 200 "${BITEXACT[@]}" "$1"
}
fixture seek_sparsecues.mkv gen_sparsecues

# MP4 with a long GOP (240) and B-frames, as in anime encodes.
gen_longgop() {
    "${FF[@]}" $(testsrc2 160x120 24 12) "${X264[@]}" -bf 3 -b_strategy 0 -g 240 -keyint_min 240 \
        -sc_threshold 0 "${BITEXACT[@]}" "$1"
}
fixture seek_longgop.mp4 gen_longgop

# MPEG-TS with B-frames: the TS demuxer seeks by byte position and often
# lands after the wanted keyframe; kzv must notice, back off and retry.
gen_ts_bframes() {
    "${FF[@]}" $(testsrc2 320x240 25 8) "${X264[@]}" -bf 3 -g 25 -keyint_min 25 -sc_threshold 0 \
        -b:v 400k "${BITEXACT[@]}" -f mpegts "$1"
}
fixture seek_ts_bframes.ts gen_ts_bframes

# Negative timestamps: an MPEG-TS whose 33-bit timestamps wrap around 2^33
# 2.7 s into the stream (written with an offset of 95441 s, just below the
# wrap at 95443.7 s). libavformat unwraps them by making everything before
# the wrap negative, so the stream starts at about -2.72 s and crosses zero.
# (Matroska cannot store negative timestamps: its muxer writes unreadable
# clusters with -output_ts_offset -1; this is the way to get them.)
gen_negative() {
    "${FF[@]}" $(testsrc2 160x120 25 5) "${X264[@]}" -bf 2 -g 25 -sc_threshold 0 \
        -output_ts_offset 95441 -mpegts_copyts 1 "${BITEXACT[@]}" -f mpegts "$1"
}
fixture seek_negative.ts gen_negative

# Variable frame rate with B-frames: frame drops and a pause, kept as-is
# (-fps_mode passthrough), encoded with B-frames so pts != dts order.
gen_vfr_bframes() {
    "${FF[@]}" $(testsrc2 160x120 25 6) \
        -vf "select='not(between(mod(n\,11)\,4\,6))',setpts='PTS+gte(N\,40)*0.7/TB'" \
        -fps_mode passthrough "${X264[@]}" -bf 3 -g 30 -sc_threshold 0 \
        "${BITEXACT[@]}" "$1"
}
fixture seek_vfr_bframes.mkv gen_vfr_bframes

# HEVC open GOP: CRA pictures with RASL leading pictures, which the decoder
# drops when decoding starts at their CRA; exact seeking to a RASL picture
# must start one GOP earlier.
gen_hevc_opengop() {
    "${FF[@]}" $(testsrc2 160x120 24 6) "${X265[@]}" \
        -x265-params log-level=error:open-gop=1:keyint=24:min-keyint=24:bframes=3:scenecut=0 \
        "${BITEXACT[@]}" "$1"
}
have_encoder libx265 && fixture seek_hevc_opengop.mkv gen_hevc_opengop

# The same HEVC open-GOP stream in MPEG-TS: byte-position seeking and RASL
# pictures together.
gen_hevc_opengop_ts() {
    "${FF[@]}" $(testsrc2 160x120 24 6) "${X265[@]}" \
        -x265-params log-level=error:open-gop=1:keyint=24:min-keyint=24:bframes=3:scenecut=0 \
        "${BITEXACT[@]}" -f mpegts "$1"
}
have_encoder libx265 && fixture seek_hevc_opengop.ts gen_hevc_opengop_ts

# H.264 open GOP in MP4 (the mov demuxer seeks by sample and dts; sync
# samples are only the IDR frames while recovery-point I-frames are not).
gen_opengop_mp4() {
    "${FF[@]}" $(testsrc2 160x120 24 6) "${X264[@]}" \
        -x264-params open-gop=1:keyint=24:min-keyint=24:bframes=3:scenecut=0 \
        "${BITEXACT[@]}" "$1"
}
fixture seek_opengop.mp4 gen_opengop_mp4

# H.264 open GOP in MPEG-TS: the demuxer may land on the I-frame after the
# wanted one, and the leading B-frames decoded from there (broken: their
# references are missing) carry pts at or before the target; kzv must not
# take one of them for the target.
gen_opengop_ts() {
    "${FF[@]}" $(testsrc2 160x120 24 8) "${X264[@]}" \
        -x264-params open-gop=1:keyint=24:min-keyint=24:bframes=3:b-pyramid=normal:scenecut=0 \
        -b:v 300k "${BITEXACT[@]}" -f mpegts "$1"
}
fixture seek_opengop.ts gen_opengop_ts

# MPEG-2 with B-frames (open GOPs: the encoder's default) in MPEG-PS: a
# format without a header (its stream appears with its first packet), byte
# seeking, and anchors whose PES packets carry no pts (dts only).
gen_mpeg2_ps() {
    "${FF[@]}" $(testsrc2 160x120 25 6) -c:v mpeg2video -bf 2 -g 15 -q:v 4 \
        "${BITEXACT[@]}" -f vob "$1"
}
fixture seek_mpeg2.mpg gen_mpeg2_ps

# The same MPEG-2 stream in MPEG-TS.
gen_mpeg2_ts() {
    "${FF[@]}" $(testsrc2 160x120 25 6) -c:v mpeg2video -bf 2 -g 15 -q:v 4 \
        "${BITEXACT[@]}" -f mpegts "$1"
}
fixture seek_mpeg2.ts gen_mpeg2_ts

# FLV with H.264 B-frames: also a format whose streams appear with their
# first packet; composition time offsets give the pts.
gen_flv() {
    "${FF[@]}" $(testsrc2 160x120 25 6) "${X264[@]}" -bf 3 -g 25 -sc_threshold 0 \
        "${BITEXACT[@]}" "$1"
}
fixture seek_bframes.flv gen_flv

# H.264 with B-frames in AVI: no pts at all (dts order), frames found by
# counting.
gen_h264_avi() {
    "${FF[@]}" $(testsrc2 160x120 25 4) "${X264[@]}" -bf 3 -g 25 -sc_threshold 0 \
        "${BITEXACT[@]}" "$1"
}
fixture seek_h264_bframes.avi gen_h264_avi

# Interlaced (MBAFF, top field first) H.264 with B-frames.
gen_interlaced() {
    "${FF[@]}" $(testsrc2 160x120 25 5) "${X264[@]}" \
        -x264-params interlaced=1:tff=1:bframes=3:keyint=25:scenecut=0 -flags +ildct+ilme \
        "${BITEXACT[@]}" "$1"
}
fixture seek_interlaced.mkv gen_interlaced

# MPEG-4 Part 2 (DivX/XviD style) with B-frames in AVI: AVI stores no pts;
# libavformat gives the B-frames pts = dts and leaves the anchors without
# pts (their display is delayed), so the index must work out the anchors'
# display times (several reorder offsets fit the known ones; one is right).
# 1, 2 and 3 B-frames; unpacked (one VOP per chunk, as ffmpeg writes it) ...
MPEG4_BF=(-c:v mpeg4 -q:v 3)
gen_mpeg4() {   # $bf: the number of B-frames
    "${FF[@]}" $(testsrc2 160x120 25 2) "${MPEG4_BF[@]}" -bf "$bf" "${BITEXACT[@]}" "$1"
}
for bf in 1 2 3; do
    fixture "seek_mpeg4_bf$bf.avi" gen_mpeg4
done
# ... DivX-style packed (an anchor and the first B-frame after it in one
# chunk, then a not-coded VOP placeholder: what DivX 5 and XviD wrote for
# Video for Windows; tests/media/pack_divx.py rewrites the unpacked file) ...
gen_mpeg4_packed() { /usr/bin/python3 "$here/pack_divx.py" "$dir/seek_mpeg4_bf$bf.avi" "$1"; }
for bf in 1 2 3; do
    fixture "seek_mpeg4_packed_bf$bf.avi" gen_mpeg4_packed
done
# ... packed, then unpacked again by FFmpeg's filter (what `-c copy -bsf:v
# mpeg4_unpack_bframes` makes of an old file) ...
gen_mpeg4_unpacked() {
    "${FF[@]}" -i "$dir/seek_mpeg4_packed_bf2.avi" -c copy -bsf:v mpeg4_unpack_bframes \
        "${BITEXACT[@]}" "$1"
}
fixture seek_mpeg4_unpacked_bf2.avi gen_mpeg4_unpacked
# ... and with every pts stored (Matroska), for comparison.
gen_mpeg4_mkv() {
    "${FF[@]}" $(testsrc2 160x120 25 2) "${MPEG4_BF[@]}" -bf 2 "${BITEXACT[@]}" "$1"
}
fixture seek_mpeg4_bf2.mkv gen_mpeg4_mkv

exit 0
