#!/usr/bin/env bash
# kzv play's window has the size of the picture as shown (issue #16): a
# rotated clip's window is turned by default (and its picture is kzv decode's
# turned frame), coded with --no-autorotate; a non-square sample aspect
# ratio turns with it; --stream N sizes the window for stream N. Read back
# with --snapshot (the window's own pixels, glReadPixels of its drawable).
# Xvfb without a window manager: the window gets the size play asks for.
KZV_PLAY_PRELOAD="libGL.so.1 libGLX_mesa.so.0"   # ASan builds: see window.sh
. "$(dirname "$0")/common.sh"
python3() { /usr/bin/python3 "$@"; }   # the system one (see streams.sh)
start_xvfb
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp:print_suppressions=0"

mkclip() {  # mkclip OUT FFMPEG-ARGS…: 160x120, 5 frames, shown turned 90 degrees clockwise
    local out=$1; shift
    ffmpeg -v error -f lavfi -i testsrc2=size=160x120:rate=25 -frames:v 5 -c:v libx264 -pix_fmt yuv420p \
        "$@" -y "$TMP/plain.mp4" || return 1
    /usr/bin/python3 - "$TMP/plain.mp4" "$out" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
one = 0x10000
i = data.find(b"tkhd")
off = i - 4 + (60 if data[i + 4] == 1 else 48)
data[off:off + 36] = struct.pack(">9i", 0, one, 0, -one, 0, 0, 120 << 16, 0, 0x40000000)
open(sys.argv[2], "wb").write(data)
PY
}
png_size() { ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x "$1"; }
# window DESC WxH ARGS…: a windowed run (--fast, its own clock-free pace)
# whose --snapshot of the window is WxH
window() {
    local desc=$1 want=$2; shift 2
    rm -f "$TMP/snap.png"
    expect_rc 0 "$desc" play "$@" --fast --snapshot "$TMP/snap.png"
    accounting "$desc"
    check "$desc: window $want (got $(png_size "$TMP/snap.png" 2>/dev/null))" \
        test "$(png_size "$TMP/snap.png")" = "$want"
}

f=$TMP/r90.mp4
mkclip "$f"
window "r90: turned by default" 120x160 "$f" --frames 2
"$KZV" decode "$f" --frames 2 -o "$TMP/turned.rgb" -q
check "r90: the window shows decode's turned frame (<= 2 levels)" /usr/bin/python3 - \
    "$TMP/snap.png" "$TMP/turned.rgb" <<'PY'
import subprocess, sys
a = subprocess.run(["ffmpeg", "-v", "error", "-i", sys.argv[1], "-f", "rawvideo", "-pix_fmt", "rgb24",
                    "-"], capture_output=True).stdout
b = open(sys.argv[2], "rb").read()[120 * 160 * 3:]   # the second (last shown) frame
assert len(a) == len(b) == 120 * 160 * 3, (len(a), len(b))
d = max(abs(x - y) for x, y in zip(a, b))
assert d <= 2, d
PY
window "r90 --no-autorotate: coded" 160x120 "$f" --frames 2 --no-autorotate
window "r90 --gl-path rgb: turned" 120x160 "$f" --frames 1 --gl-path rgb

# SAR 2:1: 320x120 on screen as coded, 120x320 turned: the window keeps the
# shown height (160 pixels) and takes the aspect's width, 60
f=$TMP/r90_sar.mp4
mkclip "$f" -vf setsar=2
window "r90 SAR 2:1: turned, 60x160" 60x160 "$f" --frames 1
window "r90 SAR 2:1 --no-autorotate: 320x120" 320x120 "$f" --frames 1 --no-autorotate

# --stream: video 0 is 160x120, video 2 96x64
ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25 -f lavfi -i testsrc2=size=96x64:rate=10 \
    -map 0:v -map 1:v -t 0.5 -c:v libx264 -pix_fmt yuv420p -y "$TMP/two.mkv"
window "--stream 1: its 96x64" 96x64 "$TMP/two.mkv" --stream 1 --frames 1
window "default stream: 160x120" 160x120 "$TMP/two.mkv" --frames 1
finish
