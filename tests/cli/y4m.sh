#!/usr/bin/env bash
# decode -o NAME.y4m: the source's layout and depth unless --format says
# otherwise (issue #16 item 2), and the header FFmpeg's yuv4mpegpipe muxer
# writes for the same stream: interlacing and chroma siting (item 3).
. "$(dirname "$0")/lib.sh"

hdr() { head -c 200 "$1" | head -1 | tr -d '\0'; }
ff_hdr() {   # FFmpeg's own header for the first frame of $1
    ffmpeg -v error -i "$1" -strict -1 -frames:v 1 -f yuv4mpegpipe "$TMP/ff.y4m" -y &&
        hdr "$TMP/ff.y4m"
}

# ---- item 2: depth and chroma are kept
layout() {   # FIXTURE Y4M-TAG FFMPEG-PIX_FMT
    local f; f=$(fixture "$1")
    expect_rc 0 "$1 -o out.y4m" decode "$f" -o "$TMP/$1.y4m" --frames 3
    check "$1: y4m header has $2 ($(hdr "$TMP/$1.y4m"))" grep -q " $2 " <(hdr "$TMP/$1.y4m"; echo)
    r=$(ffprobe -v error -count_frames -show_entries stream=pix_fmt,nb_read_frames -of csv=p=0 "$TMP/$1.y4m")
    check "$1: ffprobe reads $3, 3 frames ($r)" test "$r" = "$3,3"
    ffmpeg -v error -i "$f" -frames:v 3 -f rawvideo -pix_fmt "$3" "$TMP/ff.raw" -y
    ffmpeg -v error -i "$TMP/$1.y4m" -f rawvideo "$TMP/k.raw" -y
    check "$1: the y4m's samples are FFmpeg's own decode" cmp -s "$TMP/ff.raw" "$TMP/k.raw"
}
layout hevc10.mkv C420p10 yuv420p10le
layout hevc10_422.mkv C422p10 yuv422p10le
layout h264_444.mkv C444 yuv444p
layout h264_422.mkv C422 yuv422p
layout h264.mp4 C420mpeg2 yuv420p
f=$(fixture hevc10.mkv)
expect_rc 0 "--format yuv420p still converts" decode "$f" -o "$TMP/eight.y4m" --frames 1 --format yuv420p
check "--format yuv420p: 8-bit header" grep -q ' C420' <(hdr "$TMP/eight.y4m")
check "--format yuv420p: not p10" test -z "$(hdr "$TMP/eight.y4m" | grep p10)"

# ---- item 3: the same header as FFmpeg's muxer
# An interlaced top-field-first MPEG-2 TS (FFmpeg: "It C420mpeg2").
ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25 -t 0.4 -vf setfield=tff \
    -flags +ildct+ilme -top 1 -c:v mpeg2video -q:v 4 -y "$TMP/tff.ts"
for f in "$TMP/tff.ts" $(fixture seek_interlaced.mkv) $(fixture seek_mpeg2.ts) $(fixture h264.mp4) \
         $(fixture vp9.webm) $(fixture hevc10.mkv) $(fixture h264_444.mkv) $(fixture flat_bt601.mp4); do
    n=$(basename "$f")
    want=$(ff_hdr "$f")
    rm -f "$TMP/k.y4m"
    "$KZV" decode "$f" --frames 1 -o "$TMP/k.y4m" 2>/dev/null
    got=$(hdr "$TMP/k.y4m")
    check "$n: header == FFmpeg's ('$want' vs '$got')" test -n "$want" -a "$want" = "$got"
done
check "the top-field-first TS is tagged It" grep -q ' It ' <(ff_hdr "$TMP/tff.ts"; echo)

finish
