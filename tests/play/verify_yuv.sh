#!/usr/bin/env bash
# kzv play --headless --fast --verify on sources of every YUV layout and depth
# (10-bit 4:2:0 and 4:2:2, BT.2020, 4:4:4, 8-bit 4:2:0), each uploaded in the
# codec's own layout: every texture is read back and compared (see verify.sh).
. "$(dirname "$0")/common.sh"

# The yuv path uploads the source's own layout and depth (decoder format
# "yuv"): 10-bit sources as 10-bit, 4:4:4 with full chroma. --verify then
# compares the GPU conversion with the CPU's RGB24 conversion of the same
# decoded samples (gl: within 2 levels), or the host copy byte for byte
# (memory).
for spec in hevc10.mkv:yuv420p10 hevc10_422.mkv:yuv422p10 flat_bt2020_10.mkv:yuv420p10 \
            h264_444.mkv:yuv444p h264.mp4:yuv420p; do
    fx=${spec%%:*} fmt=${spec#*:}
    f=$(fixture "$fx")
    frames=$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames \
             -of default=nw=1:nk=1 "$f")
    for up in gl memory; do
        d="$fx --uploader $up"
        expect_rc 0 "play --headless --fast --verify $d" play "$f" --headless --fast --verify --uploader $up
        accounting "$d"
        check "$d: uploaded as $fmt ($(jget format))" test "$(jget format)" = "$fmt"
        check "$d: every frame verified" test "$(jget verified)" -eq "$frames"
        if [ "$up" = gl ]; then
            check "$d: GPU vs CPU RGB24 within 2 levels ($(jget max_diff))" test "$(jget max_diff)" -le 2
        else
            check "$d: host copies exact ($(jget max_diff))" test "$(jget max_diff)" -eq 0
        fi
    done
done
finish
