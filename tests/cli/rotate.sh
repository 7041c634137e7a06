#!/usr/bin/env bash
# Rotation (issue #16 item 11): probe reports it with ffprobe's sign, and
# decode/sheet turn frames as ffmpeg does by default (--no-autorotate keeps
# the coded orientation); the decoder setting does the turning.
. "$(dirname "$0")/lib.sh"
ffmpeg -v error -f lavfi -i testsrc2=size=64x48:rate=25 -t 0.2 -c:v libx264 -pix_fmt yuv420p \
    -y "$TMP/plain.mp4"
patch_matrix() {   # CW OUT: a tkhd display matrix for CW degrees clockwise
    /usr/bin/python3 "$(dirname "$0")/../media/rotate_mp4.py" "$TMP/plain.mp4" "$2" "$1" 64 48
}
for cw in 90 180 270; do
    f=$TMP/r$cw.mp4
    patch_matrix $cw "$f"
    want=$(ffprobe -v error -select_streams v:0 -show_entries stream_side_data=rotation \
           -of default=nw=1:nk=1 "$f" | head -1)
    expect_rc 0 "r$cw: probe --json" probe "$f" --json
    got=$(/usr/bin/python3 -c 'import json,sys
v=[s for s in json.load(open(sys.argv[1]))["streams"] if s["decoded"]][0]; print(v["rotation"])' "$TMP/out")
    check "r$cw: rotation $got == ffprobe's $want" test "$got" = "$want"
    # decode turns the frames exactly as ffmpeg's default autorotate does
    expect_rc 0 "r$cw: decode -o .yuv" decode "$f" -o "$TMP/k$cw.yuv"
    ffmpeg -v error -i "$f" -f rawvideo -pix_fmt yuv420p -y "$TMP/ff$cw.yuv"
    check "r$cw: turned frames == ffmpeg's (yuv420p, exact)" cmp -s "$TMP/k$cw.yuv" "$TMP/ff$cw.yuv"
    expect_rc 0 "r$cw: decode --no-autorotate" decode "$f" --no-autorotate -o "$TMP/n$cw.yuv"
    ffmpeg -v error -noautorotate -i "$f" -f rawvideo -pix_fmt yuv420p -y "$TMP/ffn$cw.yuv"
    check "r$cw: --no-autorotate == ffmpeg -noautorotate" cmp -s "$TMP/n$cw.yuv" "$TMP/ffn$cw.yuv"
    # every format: the turned frame is the coded frame turned
    # every format at 90 degrees; the packed and the semi-planar kind at the others
    fmts="rgb24 rgba rgb48 yuv444p yuv420p10 nv12 p010"
    [ $cw = 90 ] || fmts="rgb24 p010"
    for fmt in $fmts; do
        "$KZV" decode "$f" --frames 2 --format $fmt -o "$TMP/a.raw" 2>/dev/null
        "$KZV" decode "$f" --frames 2 --format $fmt --no-autorotate -o "$TMP/b.raw" 2>/dev/null
        check "r$cw $fmt: frames turned $cw degrees" /usr/bin/python3 - "$TMP/a.raw" "$TMP/b.raw" $fmt $cw <<'PY'
import sys, numpy as np
a, b = (np.fromfile(p, np.uint8) for p in sys.argv[1:3]); fmt, cw = sys.argv[3], int(sys.argv[4])
W, H = 64, 48
def planes(buf, w, h):
    e = {"rgb24": [(3, 1, 1)], "rgba": [(4, 1, 1)], "rgb48": [(6, 1, 1)],
         "yuv444p": [(1, 1, 1)] * 3, "yuv420p10": [(2, 1, 1), (2, 2, 2), (2, 2, 2)],
         "nv12": [(1, 1, 1), (2, 2, 2)], "p010": [(2, 1, 1), (4, 2, 2)]}[fmt]
    out, o = [], 0
    for es, sx, sy in e:
        pw, ph = -(-w // sx), -(-h // sy)
        n = pw * ph * es
        out.append(buf[o:o + n].reshape(ph, pw, es)); o += n
    return out, o
fa, na = planes(a, *((H, W) if cw != 180 else (W, H)))
fb, nb = planes(b, W, H)
assert na * 2 == len(a) and nb * 2 == len(b), (na, len(a))
k = {90: -1, 180: 2, 270: 1}[cw]
for pa, pb in zip(fa, fb):
    assert np.array_equal(pa, np.rot90(pb, k)), fmt
PY
    done
done
f=$TMP/r90.mp4
expect_rc 0 "r90: sheet (autorotate)" sheet "$f" -o "$TMP/s.png" --cols 1 --rows 1 --width 200
expect_rc 0 "r90: sheet --no-autorotate" sheet "$f" -o "$TMP/n.png" --cols 1 --rows 1 --width 200 --no-autorotate
h1=$(ffprobe -v error -show_entries stream=height -of csv=p=0 "$TMP/s.png")
h2=$(ffprobe -v error -show_entries stream=height -of csv=p=0 "$TMP/n.png")
check "r90: the sheet's thumbnail is portrait when turned (sheet $h1 px high vs $h2)" test "$h1" -gt "$h2"
expect_rc 0 "r90: probe text says how it is shown" probe "$f"
check "r90: text names the turn" grep -q 'Rotation: *-90' "$TMP/out"

finish
