#!/usr/bin/env bash
# decode -o: the name says what is written (issue #16 item 1): a name with
# an extension is one file, a %d pattern or a directory is an image sequence.
. "$(dirname "$0")/lib.sh"
f=$(fixture h264.mp4)          # 320x240, 50 frames, yuv420p
fs=$((320 * 240 * 3))
is_png() { [ -f "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
size_is() { [ "$(stat -c %s "$1" 2>/dev/null)" = "$2" ]; }

expect_rc 0 "-o d.png --frames 1" decode "$f" -o "$TMP/d.png" --frames 1
check "d.png is one PNG file, not a directory" is_png "$TMP/d.png"
expect_rc 0 "-o e.png without --frames: the first frame" decode "$f" -o "$TMP/e.png"
check "e.png is one PNG file" is_png "$TMP/e.png"
check "e.png == d.png" cmp -s "$TMP/d.png" "$TMP/e.png"
expect_rc 0 "-o s.png --start-frame 10" decode "$f" -o "$TMP/s.png" --start-frame 10
"$KZV" decode "$f" -o "$TMP/dir10" --start-frame 10 --frames 1 2>/dev/null
check "s.png is frame 10" cmp -s "$TMP/s.png" "$TMP/dir10/000010.png"
expect_rc 2 "-o d.png --frames 2: one image holds one frame" decode "$f" -o "$TMP/m.png" --frames 2
check "the message says to use a pattern" grep -q 'pattern' "$TMP/err"
check "nothing written for the refused request" test ! -e "$TMP/m.png"

expect_rc 0 "-o out.rgb --frames 2" decode "$f" -o "$TMP/out.rgb" --frames 2
check "out.rgb is a file of 2 rgb24 frames" size_is "$TMP/out.rgb" $((2 * fs))
"$KZV" decode "$f" -o - --frames 2 >"$TMP/pipe.rgb" 2>/dev/null
check "out.rgb == the same frames on a pipe" cmp -s "$TMP/out.rgb" "$TMP/pipe.rgb"
expect_rc 0 "-o x.yuv --format yuv --frames 3" decode "$f" -o "$TMP/x.yuv" --format yuv --frames 3
check "x.yuv holds 3 yuv420p frames" size_is "$TMP/x.yuv" $((3 * 320 * 240 * 3 / 2))
expect_rc 0 "-o y.yuv (default: the source's layout)" decode "$f" -o "$TMP/y.yuv" --frames 3
check "y.yuv == x.yuv" cmp -s "$TMP/x.yuv" "$TMP/y.yuv"
expect_rc 0 "-o ten.yuv on 10-bit HEVC" decode "$(fixture hevc10.mkv)" -o "$TMP/ten.yuv" --frames 1
w=$(ffprobe_stream "$(fixture hevc10.mkv)" width); h=$(ffprobe_stream "$(fixture hevc10.mkv)" height)
check "ten.yuv is one yuv420p10 frame (2 bytes a sample)" size_is "$TMP/ten.yuv" $((w * h * 3))
expect_rc 0 "-o z.raw --format rgba --frames 1" decode "$f" -o "$TMP/z.raw" --format rgba --frames 1
check "z.raw is one rgba frame" size_is "$TMP/z.raw" $((320 * 240 * 4))
expect_rc 2 "-o x.yuv --format rgb24 (a .yuv of RGB)" decode "$f" -o "$TMP/bad.yuv" --format rgb24
expect_rc 2 "-o x.rgb --format yuv420p (a .rgb of YUV)" decode "$f" -o "$TMP/bad.rgb" --format yuv420p
expect_rc 2 "-o x.png --format yuv420p" decode "$f" -o "$TMP/bad.png" --format yuv420p --frames 1
expect_rc 2 "-o x.mp4: not something decode writes" decode "$f" -o "$TMP/x.mp4"
check "nothing written for x.mp4" test ! -e "$TMP/x.mp4"

expect_rc 0 "-o dir/ --frames 2" decode "$f" -o "$TMP/seq/" --frames 2
check "dir/ holds 000000.png and 000001.png" is_png "$TMP/seq/000001.png"
mkdir -p "$TMP/has.dot"
expect_rc 0 "-o an existing directory with a dot" decode "$f" -o "$TMP/has.dot" --frames 1
check "has.dot/000000.png" is_png "$TMP/has.dot/000000.png"
expect_rc 0 "-o pattern" decode "$f" -o "$TMP/p-%03d.png" --frames 2
check "p-001.png" is_png "$TMP/p-001.png"

finish
