#!/usr/bin/env bash
# kzv play --stream N plays container stream N, as in every other command
# (issue #16 item 13): a file with two video streams of different sizes and
# frame rates; the frames counted, the JSON's size and --render's offscreen
# picture are those of the chosen stream, on the gl (yuv, rgb) and memory
# uploaders.
. "$(dirname "$0")/common.sh"
# common.sh's JSON helpers call python3: the system one (the first on PATH
# may be a slower shim)
python3() { /usr/bin/python3 "$@"; }
# video 0: 160x120 at 25 fps (testsrc), audio 1, video 2: 96x64 at 10 fps (testsrc2)
ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25 -f lavfi -i sine=f=440:sample_rate=48000 \
    -f lavfi -i testsrc2=size=96x64:rate=10 -map 0:v -map 1:a -map 2:v -t 1 -c:v libx264 -g 5 \
    -pix_fmt yuv420p -c:a aac -y "$TMP/two.mkv"
f=$TMP/two.mkv
# what ffmpeg decodes from each video stream
for s in 0 2; do
    n=$(ffprobe -v error -select_streams $s -count_frames -show_entries stream=nb_read_frames \
        -of default=nw=1:nk=1 "$f")
    eval "frames$s=$n"
done
check "the streams differ in frame count (${frames0} vs ${frames2})" test "$frames0" -ne "$frames2"

size_is() {  # size_is W H: the JSON's width and height
    test "$(jget width)x$(jget height)" = "$1x$2"
}
for mode in "" "--gl-path rgb" "--uploader memory"; do
    d="play --stream 2 ${mode:-(gl yuv)}"
    # shellcheck disable=SC2086
    expect_rc 0 "$d --verify" play "$f" --stream 2 --headless --fast --verify $mode
    accounting "$d"
    check "$d: stream 2 in the JSON" test "$(jget stream)" = 2
    check "$d: 96x64 frames" size_is 96 64
    check "$d: its $frames2 frames (got $(jget decoded))" test "$(jget decoded)" -eq "$frames2"
    check "$d: every one verified" test "$(jget verified)" -eq "$frames2"
done
expect_rc 0 "play without --stream" play "$f" --headless --fast --uploader memory
check "default: stream 0, 160x120, $frames0 frames" \
    test "$(jget stream)/$(jget width)x$(jget height)/$(jget decoded)" = "0/160x120/$frames0"
expect_rc 0 "play --stream 0" play "$f" --stream 0 --headless --fast --uploader memory
check "--stream 0: 160x120" size_is 160 120

# the picture drawn is stream 2's: --render's offscreen target, snapshot vs
# kzv decode --stream 2 of the same frame
expect_rc 0 "play --stream 2 --render --snapshot" play "$f" --stream=2 --headless --fast --frames 1 \
    --render --snapshot "$TMP/snap.png" --gl-path rgb
expect_rc 0 "decode --stream 2 (the reference)" decode "$f" --stream 2 --frames 1 -o "$TMP/ref.png" -q
check "snapshot == stream 2's first frame (96x64, within 1 level)" same_picture "$TMP/snap.png" "$TMP/ref.png" 1 96x64

expect_rc 3 "play --stream 1 (audio) is an input error" play "$f" --stream 1 --headless --fast
check "--stream 1: the reason names the stream" grep -q "kzv play: .*stream" "$TMP/err"
expect_rc 3 "play --stream 9 (no such stream)" play "$f" --stream 9 --headless --fast
expect_rc 2 "play --stream x" play "$f" --stream x --headless --fast
expect_rc 2 "play --stream -1" play "$f" --stream -1 --headless --fast
finish
