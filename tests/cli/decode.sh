#!/usr/bin/env bash
# decode: raw frames on stdout (size and pixels vs ffmpeg), PNG directory and
# pattern, y4m, discard with a summary.
. "$(dirname "$0")/lib.sh"
FF=(ffmpeg -nostdin -v error)

# Pixels against ffmpeg's own RGB conversion with the stream's tagged matrix
# and its chroma siting (H.264/HEVC: left-sited, vertically centred, which
# swscale only does when told with in_h_chr_pos/in_v_chr_pos), bilinear chroma
# and accurate rounding. kzv interpolates chroma linearly in exact integer
# arithmetic (tests/core checks it against the exact conversion: max 1);
# swscale's vertical chroma filter differs at sharp chroma edges, so on the
# testsrc2 patterns the bound is statistical. Measured (kzv yuv2rgb):
# h264.mp4 mean 0.96, p99 26; hevc10.mkv mean 1.00, p99 25. Limits: mean <= 1.6,
# p99 <= 40; flat colour max <= 2 (DESIGN: within 2 of the exact conversion).
# (Plain `-pix_fmt rgb24` is no reference: centred siting, nearest chroma.)
SITED=(-vf scale=in_h_chr_pos=0:in_v_chr_pos=128:flags=bilinear+accurate_rnd+full_chroma_int)
rawcmp() {  # NAME KZV.rgb REF.rgb LIMITS…
    local name=$1 k=$2 r=$3; shift 3
    local out
    if out=$(python3 "$(dirname "$0")/rawdiff.py" "$k" "$r" "$@"); then
        ok "$name within $* : $out"
    else
        fail "$name beyond $* : $out"
    fi
}

# ---- raw frames on stdout
for name in h264.mp4 flat_bt709.mp4 hevc10.mkv; do
    f=$(fixture "$name")
    w=$(ffprobe_stream "$f" width); h=$(ffprobe_stream "$f" height)
    n=$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames \
        -of default=nw=1:nk=1 "$f" | head -1)
    "$KZV" decode "$f" -o - >"$TMP/kzv.rgb" 2>"$TMP/err"; rc=$?
    check "$name: decode -o - exits 0 (got $rc)" test $rc -eq 0
    size=$(stat -c %s "$TMP/kzv.rgb")
    check "$name: $size bytes == $n frames x ${w}x${h} x 3" test "$size" -eq $((n * w * h * 3))
    check "$name: only the summary line on stderr when piped" \
        test "$(grep -vc "^$n frames (rgb24 ${w}x${h}) in .* fps -> standard output\$" "$TMP/err")" = 0
    "${FF[@]}" -i "$f" "${SITED[@]}" -f rawvideo -pix_fmt rgb24 - >"$TMP/ff.rgb"
    case $name in
    flat_*) rawcmp "$name vs ffmpeg" "$TMP/kzv.rgb" "$TMP/ff.rgb" --max 2 ;;
    *)      rawcmp "$name vs ffmpeg" "$TMP/kzv.rgb" "$TMP/ff.rgb" --mean 1.6 --p99 40 ;;
    esac
done

f=$(fixture h264.mp4)
px=$((320 * 240))
for spec in "rgb24 $((px * 3))" "rgba $((px * 4))" "rgb48 $((px * 6))" \
            "yuv420p $((px * 3 / 2))" "yuv422p $((px * 2))" "yuv444p $((px * 3))"; do
    set -- $spec
    "$KZV" decode "$f" -o - --frames 7 --format "$1" >"$TMP/raw" 2>/dev/null
    size=$(stat -c %s "$TMP/raw")
    check "--format $1 --frames 7: $size bytes == 7 x $2" test "$size" -eq $((7 * $2))
done
# yuv420p raw equals ffmpeg's own planes exactly (no conversion for an 8-bit 4:2:0 source).
"$KZV" decode "$f" -o - --format yuv420p >"$TMP/kzv.yuv" 2>/dev/null
"${FF[@]}" -i "$f" -f rawvideo -pix_fmt yuv420p - >"$TMP/ff.yuv"
check "yuv420p raw equals ffmpeg's decoded planes" cmp -s "$TMP/kzv.yuv" "$TMP/ff.yuv"

# Odd size (641x361 4:2:0): rows are written without stride padding.
f=$(fixture odd420.webm)
"$KZV" decode "$f" -o - --frames 3 --format yuv420p >"$TMP/odd.yuv" 2>/dev/null
size=$(stat -c %s "$TMP/odd.yuv")
check "odd420: 3 x (641x361 + 2 x 321x181) bytes (got $size)" \
    test "$size" -eq $((3 * (641 * 361 + 2 * 321 * 181)))
"$KZV" decode "$f" -o - --frames 3 >"$TMP/odd.rgb" 2>/dev/null
check "odd420 rgb24: 3 x 641x361x3 bytes" test "$(stat -c %s "$TMP/odd.rgb")" -eq $((3 * 641 * 361 * 3))

# ---- PNG into a directory (created) and by pattern
f=$(fixture h264.mp4)
expect_rc 0 "decode -o DIR --frames 5" decode "$f" -o "$TMP/png/sub" --frames 5
n=$(ls "$TMP/png/sub" | wc -l)
check "5 PNG files written (got $n)" test "$n" -eq 5
check "named 000000.png … 000004.png" test -f "$TMP/png/sub/000000.png" -a -f "$TMP/png/sub/000004.png"
for i in 000000 000004; do
    wh=$(ffprobe -v error -show_entries stream=width,height,codec_name -of csv=p=0 "$TMP/png/sub/$i.png")
    check "$i.png readable by ffprobe as a 320x240 PNG ($wh)" test "$wh" = "png,320,240"
done
# The PNG holds exactly the pixels of the raw output.
"$KZV" decode "$f" -o - --frames 1 >"$TMP/first.rgb" 2>/dev/null
"${FF[@]}" -i "$TMP/png/sub/000000.png" -f rawvideo -pix_fmt rgb24 - >"$TMP/first_png.rgb"
check "000000.png pixels == raw frame 0" cmp -s "$TMP/first.rgb" "$TMP/first_png.rgb"

mkdir -p "$TMP/pat"
expect_rc 0 "decode -o pattern" decode "$f" -o "$TMP/pat/f-%04d-100%%.png" --frames 3
check "pattern names f-0000-100%.png … f-0002-100%.png" \
    test -f "$TMP/pat/f-0000-100%.png" -a -f "$TMP/pat/f-0002-100%.png"
check "pattern: exactly 3 files" test "$(ls "$TMP/pat" | wc -l)" -eq 3
expect_rc 0 "decode -o DIR --format rgb48" decode "$f" -o "$TMP/png48" --frames 1 --format rgb48
pf=$(ffprobe -v error -show_entries stream=pix_fmt -of csv=p=0 "$TMP/png48/000000.png")
check "rgb48 PNG is 16-bit ($pf)" test "$pf" = rgb48be

# reschange: PNGs keep each frame's own size.
f=$(fixture reschange.ts)
expect_rc 0 "reschange to PNG" decode "$f" -o "$TMP/rc"
check "reschange: 50 PNGs" test "$(ls "$TMP/rc" | wc -l)" -eq 50
wh=$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$TMP/rc/000049.png")
check "reschange: last PNG is 480x270 ($wh)" test "$wh" = "480,270"

# ---- y4m
f=$(fixture h264.mp4)
expect_rc 0 "decode -o out.y4m" decode "$f" -o "$TMP/out.y4m"
head -c 80 "$TMP/out.y4m" | head -1 >"$TMP/y4mhdr"
check "y4m header: $(cat "$TMP/y4mhdr")" grep -q '^YUV4MPEG2 W320 H240 F25:1 Ip A[0-9]*:[0-9]* C420mpeg2' "$TMP/y4mhdr"
r=$(ffprobe -v error -count_frames -show_entries stream=width,height,pix_fmt,nb_read_frames \
    -of csv=p=0 "$TMP/out.y4m")
check "ffprobe reads the y4m: 320x240 yuv420p, 50 frames ($r)" test "$r" = "320,240,yuv420p,50"
"${FF[@]}" -i "$TMP/out.y4m" -f rawvideo - >"$TMP/y4m.yuv"
check "y4m planes == raw yuv420p output" cmp -s "$TMP/y4m.yuv" "$TMP/kzv.yuv"
expect_rc 0 "decode -o out444.y4m --format yuv444p" decode "$f" -o "$TMP/out444.y4m" --format yuv444p --frames 4
r=$(ffprobe -v error -count_frames -show_entries stream=pix_fmt,nb_read_frames -of csv=p=0 "$TMP/out444.y4m")
check "ffprobe reads the 4:4:4 y4m: yuv444p, 4 frames ($r)" test "$r" = "yuv444p,4"
f=$(fixture reschange.ts)
expect_rc 0 "reschange to y4m (first size kept)" decode "$f" -o "$TMP/rc.y4m"
r=$(ffprobe -v error -count_frames -show_entries stream=width,height,nb_read_frames -of csv=p=0 "$TMP/rc.y4m")
check "reschange y4m: 320x240, 50 frames ($r)" test "$r" = "320,240,50"

# ---- no output: decode, discard, summary on stderr
f=$(fixture h264.mp4)
expect_rc 0 "decode without -o" decode "$f"
check "summary on stderr names 50 frames and fps" grep -Eq '^50 frames .* fps' "$TMP/err"
check "nothing on stdout" test ! -s "$TMP/out"
expect_rc 2 "decode --frames 0 (an impossible request)" decode "$f" --frames 0 --threads 1


# ---- ranges: --start-frame / --start give exactly the frames of a full decode
f=$(fixture h264.mp4)
fs=$((320 * 240 * 3))
"$KZV" decode "$f" -o - >"$TMP/all.rgb" 2>/dev/null
"$KZV" decode "$f" --start-frame 17 --frames 3 -o - >"$TMP/part.rgb"; rc=$?
check "--start-frame 17 --frames 3 exits 0 (got $rc)" test $rc -eq 0
check "--start-frame 17 --frames 3 = frames 17..19 of a full decode" \
    cmp -s "$TMP/part.rgb" <(tail -c +$((17 * fs + 1)) "$TMP/all.rgb" | head -c $((3 * fs)))
# h264.mp4 is 25 fps: 1.01 s lies inside frame 25's display interval
"$KZV" decode "$f" --start 1.01 --frames 2 -o - >"$TMP/part.rgb"; rc=$?
check "--start 1.01 --frames 2 = frames 25..26 (rc $rc)" \
    cmp -s "$TMP/part.rgb" <(tail -c +$((25 * fs + 1)) "$TMP/all.rgb" | head -c $((2 * fs)))
"$KZV" decode "$f" --start-frame 1000 -o - >"$TMP/part.rgb" 2>/dev/null; rc=$?
check "--start-frame past the end: 0 frames, usage error (got $rc)" test $rc -eq 2 -a ! -s "$TMP/part.rgb"
"$KZV" decode "$f" --start 1 --start-frame 2 >/dev/null 2>&1; rc=$?
check "--start with --start-frame is a usage error (got $rc)" test $rc -eq 2
"$KZV" decode "$f" --queue 2 --policy block -o - | cmp -s - "$TMP/all.rgb"
check "--queue 2 --policy block: every frame, same bytes" test "${PIPESTATUS[0]}" -eq 0
"$KZV" decode "$f" --policy sometimes >/dev/null 2>&1; rc=$?
check "--policy with a bad value is a usage error (got $rc)" test $rc -eq 2

finish
