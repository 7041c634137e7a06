#!/usr/bin/env bash
# decode --format yuv and the 10-bit / semi-planar formats: raw planes vs
# ffmpeg's, y4m with 10-bit samples read back by ffmpeg, y4m refusing
# nv12/p010, probe naming what `yuv` resolves to.
. "$(dirname "$0")/lib.sh"
FF=(ffmpeg -nostdin -v error)
# kzv converts with these swscale flags (src/convert/convert.c); with the same flags
# ffmpeg's conversion is byte-identical (tests/core/test_yuv.c).
SWS=(-sws_flags bicubic+accurate_rnd+full_chroma_int+full_chroma_inp)

# ---- --format yuv: the decoded planes, untouched (raw: rows without padding)
for spec in "h264.mp4 yuv420p" "hevc10.mkv yuv420p10le" "hevc10_422.mkv yuv422p10le" \
            "h264_444.mkv yuv444p" "odd420.webm yuv420p"; do
    set -- $spec
    f=$(fixture "$1")
    "$KZV" decode "$f" --format yuv -o - >"$TMP/k.raw" 2>"$TMP/err"; rc=$?
    check "$1: decode --format yuv -o - exits 0 (got $rc)" test $rc -eq 0
    "${FF[@]}" -i "$f" -f rawvideo -pix_fmt "$2" - >"$TMP/f.raw"
    check "$1: --format yuv raw == ffmpeg -pix_fmt $2 ($(stat -c %s "$TMP/k.raw") bytes)" \
        cmp -s "$TMP/k.raw" "$TMP/f.raw"
done

# ---- explicit conversions, raw
for spec in "h264.mp4 yuv420p10 yuv420p10le" "hevc10.mkv nv12 nv12" "hevc10.mkv p010 p010le" \
            "h264_422.mkv yuv420p10 yuv420p10le"; do
    set -- $spec
    f=$(fixture "$1")
    "$KZV" decode "$f" --format "$2" -o - >"$TMP/k.raw" 2>/dev/null
    "${FF[@]}" -i "$f" "${SWS[@]}" -f rawvideo -pix_fmt "$3" - >"$TMP/f.raw"
    check "$1: --format $2 raw == ffmpeg -pix_fmt $3 with the same sws flags" \
        cmp -s "$TMP/k.raw" "$TMP/f.raw"
done
f=$(fixture odd420.webm)   # 641x361: nv12's interleaved chroma rows are 2 x 321 bytes
"$KZV" decode "$f" --format nv12 -o - --frames 2 >"$TMP/odd.nv12" 2>/dev/null
check "odd420 nv12: 2 x (641x361 + 321x181x2) bytes" \
    test "$(stat -c %s "$TMP/odd.nv12")" -eq $((2 * (641 * 361 + 321 * 181 * 2)))

# ---- y4m with 10-bit samples, read back by ffmpeg
f=$(fixture hevc10.mkv)
expect_rc 0 "decode hevc10 --format yuv -o out.y4m" decode "$f" --format yuv -o "$TMP/ten.y4m"
head -c 100 "$TMP/ten.y4m" | head -1 >"$TMP/hdr"
check "10-bit y4m header: $(cat "$TMP/hdr")" grep -q '^YUV4MPEG2 W320 H240 F25:1 .*C420p10 XYSCSS=420P10' "$TMP/hdr"
n=$(ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$f")
r=$(ffprobe -v error -count_frames -show_entries stream=pix_fmt,nb_read_frames -of csv=p=0 "$TMP/ten.y4m")
check "ffprobe reads the y4m: yuv420p10le, $n frames ($r)" test "$r" = "yuv420p10le,$n"
"${FF[@]}" -i "$TMP/ten.y4m" -f rawvideo -pix_fmt yuv420p10le - >"$TMP/y4m.raw"
"${FF[@]}" -i "$f" -f rawvideo -pix_fmt yuv420p10le - >"$TMP/f.raw"
check "10-bit y4m planes == ffmpeg's decoded planes" cmp -s "$TMP/y4m.raw" "$TMP/f.raw"
f=$(fixture hevc10_422.mkv)
expect_rc 0 "decode hevc10_422 --format yuv -o out.y4m" decode "$f" --format yuv -o "$TMP/ten422.y4m" --frames 3
r=$(ffprobe -v error -count_frames -show_entries stream=pix_fmt,nb_read_frames -of csv=p=0 "$TMP/ten422.y4m")
check "4:2:2 10-bit y4m: yuv422p10le, 3 frames ($r)" test "$r" = "yuv422p10le,3"
f=$(fixture h264.mp4)
expect_rc 0 "decode h264 --format yuv444p10 -o out.y4m" decode "$f" --format yuv444p10 -o "$TMP/c444.y4m" --frames 2
r=$(ffprobe -v error -count_frames -show_entries stream=pix_fmt,nb_read_frames -of csv=p=0 "$TMP/c444.y4m")
check "yuv444p10 y4m: yuv444p10le, 2 frames ($r)" test "$r" = "yuv444p10le,2"

# ---- y4m has no semi-planar layouts; PNG no YUV at all
for fmt in nv12 p010; do
    expect_rc 2 "y4m --format $fmt refused" decode "$f" --format $fmt -o "$TMP/x.y4m"
    check "$fmt: the message says y4m has no semi-planar layout" grep -q "semi-planar" "$TMP/err"
done
check "refused y4m leaves no file" test ! -e "$TMP/x.y4m"
expect_rc 2 "PNG --format yuv refused" decode "$f" --format yuv -o "$TMP/pngdir"
expect_rc 2 "unknown format refused" decode "$f" --format yuv420p12 -o -
check "the message lists the formats" grep -q "p010, yuv" "$TMP/err"

# ---- summary names the resolved format; probe tells what yuv gives
expect_rc 0 "decode hevc10 --format yuv (discard)" decode "$(fixture hevc10.mkv)" --format yuv
check "summary says yuv420p10" grep -q 'frames (yuv420p10 320x240)' "$TMP/err"
run_kzv probe --json "$(fixture hevc10_422.mkv)"
check "probe --json: yuv_format yuv422p10" python3 -c '
import json,sys; v=[s for s in json.load(open(sys.argv[1]))["streams"] if s["decoded"]][0]
sys.exit(v["yuv_format"] != "yuv422p10")' "$TMP/out"
run_kzv probe "$(fixture flat_full.mp4)"
check "probe text: yuvj420p gives yuv420p" grep -q 'yuvj420p (8-bit; decode --format yuv gives yuv420p)' "$TMP/out"

finish
