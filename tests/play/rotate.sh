#!/usr/bin/env bash
# kzv play turns a rotated clip as the display matrix says, by default (issue
# #16 item 11, as ffplay does), and --no-autorotate keeps the coded
# orientation: the JSON's width/height, --render's offscreen picture (its
# size, and its pixels against kzv decode's turned frame) and --verify on the
# gl (yuv, rgb) and memory uploaders. The window's size: window_size.sh.
. "$(dirname "$0")/common.sh"
# common.sh's JSON helpers call python3: the system one (the first on PATH
# may be a slower shim; each run here is checked a dozen times)
python3() { /usr/bin/python3 "$@"; }
# rotated clips the way tests/cli/rotate.sh makes them (this ffmpeg may not
# have -display_rotation): a display matrix patched into the mp4's tkhd
mkclip() {  # mkclip OUT CW SIZE [FFMPEG-ARGS…]: a 10-frame clip shown turned CW degrees
    local out=$1 cw=$2 size=$3; shift 3
    ffmpeg -v error -f lavfi -i testsrc2=size=$size:rate=25 -frames:v 10 -c:v libx264 "$@" \
        -y "$TMP/plain.mp4" || return 1
    /usr/bin/python3 "$(dirname "$0")/../media/rotate_mp4.py" "$TMP/plain.mp4" "$out" "$cw" "${size%x*}" "${size#*x}"
}
size_is() { test "$(jget width)x$(jget height)" = "$1"; }

for cw in 90 180 270; do
    f=$TMP/r$cw.mp4
    mkclip "$f" $cw 160x120 -pix_fmt yuv420p
    turned=120x160
    [ $cw = 180 ] && turned=160x120
    "$KZV" decode "$f" --frames 1 -o "$TMP/turned.png" -q
    "$KZV" decode "$f" --frames 1 -o "$TMP/coded.png" -q --no-autorotate
    # every uploader and path at 90 degrees, the default one at the others
    modes=("" "--gl-path rgb" "--uploader memory")
    [ $cw = 90 ] || modes=("")
    for mode in "${modes[@]}"; do
        d="r$cw ${mode:-(gl yuv)}"
        # shellcheck disable=SC2086
        expect_rc 0 "$d: play --verify" play "$f" --headless --fast --verify $mode
        accounting "$d"
        check "$d: every frame verified" test "$(jget verified)" -eq 10
        check "$d: turned by default: $turned (got $(jget width)x$(jget height))" size_is $turned
        # shellcheck disable=SC2086
        expect_rc 0 "$d: play --no-autorotate --verify" play "$f" --headless --fast --verify \
            --no-autorotate $mode
        accounting "$d --no-autorotate"
        check "$d --no-autorotate: coded 160x120" size_is 160x120
    done
    # what is drawn: the turned picture, pixel for pixel what kzv decode turns
    # (yuv: the GPU's conversion, within 2 levels of the CPU's; rgb: exact)
    paths="yuv rgb"
    [ $cw = 90 ] || paths=yuv
    for path in $paths; do
        tol=2
        [ $path = rgb ] && tol=0
        expect_rc 0 "r$cw $path: play --render --snapshot" play "$f" --headless --fast --frames 1 \
            --render --snapshot "$TMP/snap.png" --gl-path $path
        check "r$cw $path: the drawn picture is decode's turned frame ($turned, <= $tol levels)" \
            same_picture "$TMP/snap.png" "$TMP/turned.png" $tol
        expect_rc 0 "r$cw $path: play --render --snapshot --no-autorotate" play "$f" --headless \
            --fast --frames 1 --render --snapshot "$TMP/snap.png" --gl-path $path --no-autorotate
        check "r$cw $path --no-autorotate: the coded frame (160x120, <= $tol levels)" \
            same_picture "$TMP/snap.png" "$TMP/coded.png" $tol
    done
done
f=$TMP/r90.mp4
expect_rc 0 "--autorotate after --no-autorotate: the last one counts" play "$f" --headless --fast \
    --uploader memory --no-autorotate --autorotate
check "--no-autorotate --autorotate: turned" size_is 120x160

# 4:2:2 turned by 90 degrees (the decoder cannot turn 4:2:2 frames by 90;
# play's renderer turns the textures): the gl yuv path shows it turned
f=$TMP/r90_422.mp4
mkclip "$f" 90 160x120 -pix_fmt yuv422p -profile:v high422
"$KZV" decode "$f" --frames 1 -o "$TMP/turned.png" -q
expect_rc 0 "4:2:2 r90: play --verify" play "$f" --headless --fast --verify
accounting "4:2:2 r90"
check "4:2:2 r90: yuv422p uploaded" test "$(jget format)" = yuv422p
check "4:2:2 r90: shown turned, 120x160" size_is 120x160
expect_rc 0 "4:2:2 r90: play --render --snapshot" play "$f" --headless --fast --frames 1 --render \
    --snapshot "$TMP/snap.png"
check "4:2:2 r90: the drawn picture is decode's turned frame (<= 2 levels)" \
    same_picture "$TMP/snap.png" "$TMP/turned.png" 2

# a non-square sample aspect ratio turns with the picture: 160x120 at SAR 2:1
# is 320x120 on screen, 120x320 turned; --render's target is the turned
# pixel size (120x160) with the 3:8 picture letterboxed into its middle 60 columns
f=$TMP/r90_sar.mp4
mkclip "$f" 90 160x120 -pix_fmt yuv420p -vf setsar=2
expect_rc 0 "SAR 2:1 r90: play --render --snapshot" play "$f" --headless --fast --frames 1 --render \
    --snapshot "$TMP/snap.png" --gl-path rgb
check "SAR 2:1 r90: bars left and right, the picture 60 columns wide" /usr/bin/python3 - \
    "$TMP/snap.png" <<'PY'
import subprocess, sys
b = subprocess.run(["ffmpeg", "-v", "error", "-i", sys.argv[1], "-f", "rawvideo", "-pix_fmt", "rgb24",
                    "-"], capture_output=True).stdout
w, h = 120, 160
assert len(b) == w * h * 3, len(b)
col = lambda x: [b[(y * w + x) * 3 + c] for y in range(h) for c in range(3)]
lit = [x for x in range(w) if any(col(x))]
assert lit and lit[0] >= 28 and lit[-1] <= 91 and len(lit) >= 56, (lit[:3], lit[-3:], len(lit))
PY
finish
