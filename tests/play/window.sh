#!/usr/bin/env bash
# kzv play with its SDL window on a virtual X server (Xvfb), checked with a
# real screenshot of the X root window (xwd) while the frame is on screen.
# Needs: xvfb, x11-apps (xwd). Mesa's llvmpipe draws GL there.
# ASan builds: SDL dlopen()s libGL and unloads it (and Mesa's GLX vendor)
# on SDL_Quit; keep them loaded like the DRI driver (see common.sh).
KZV_PLAY_PRELOAD="libGL.so.1 libGLX_mesa.so.0"
. "$(dirname "$0")/common.sh"

start_xvfb xwd

# ASan builds: SDL2's D-Bus buffer (see lsan.supp), nothing of kzv's
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp:print_suppressions=0"

flat=$(fixture flat_bt709.mp4)

# 1. a plain windowed run: real time, ends on its own
expect_rc 0 "window: play h264.mp4 (50 frames at 25 fps)" play "$(fixture h264.mp4)"
accounting "window h264.mp4"
check "window: all 50 frames decoded" test "$(jget decoded)" -eq 50

# xwd_pixel FILE X Y: "R G B" of the root-window screenshot at (X, Y)
xwd_pixel() {
    python3 - "$@" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
h = struct.unpack(">25I", data[:100])
(hsize, ver, fmt, depth, w, hgt, xoff, border, bunit, bborder, bpad, bpp, bpl, vclass,
 rmask, gmask, bmask, bprgb, cmapn, ncolors) = h[:20]
assert ver == 7 and fmt == 2 and bpp in (24, 32), (ver, fmt, bpp)
off = hsize + 12 * ncolors
x, y = int(sys.argv[2]), int(sys.argv[3])
p = off + y * bpl + x * (bpp // 8)
px = int.from_bytes(data[p:p + bpp // 8], "little" if border == 0 else "big")
def ch(m):
    s = (m & -m).bit_length() - 1
    return (px & m) >> s
print(ch(rmask), ch(gmask), ch(bmask))
PY
}

# near R G B WANT_R WANT_G WANT_B TOL
near() { python3 -c "import sys; a=[int(v) for v in sys.argv[1:4]]; b=[int(v) for v in sys.argv[4:7]]; sys.exit(0 if all(abs(x-y)<=int(sys.argv[7]) for x,y in zip(a,b)) else 1)" "$@"; }

# 2. --hold-last keeps the last frame up; screenshot, then SIGTERM (= window close)
shot() {  # shot DESC ARGS…: start kzv, wait for the hold, take $TMP/root.xwd
    local desc=$1; shift
    "$KZV" "$@" --hold-last >"$TMP/out" 2>"$TMP/err" </dev/null &
    KPID=$!
    for _ in $(seq 600); do
        grep -q "holding the last frame" "$TMP/err" && break
        kill -0 $KPID 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q "holding the last frame" "$TMP/err"; then
        fail "$desc: kzv did not reach the last frame"; sed 's/^/    /' "$TMP/err" | head
        kill $KPID 2>/dev/null; wait $KPID; return 1
    fi
    # the last frame was swapped before the message; wait until the X server
    # has it on screen: two identical screenshots 0.3 s apart (10 s at most)
    # rather than one after a fixed sleep, which a loaded machine can outlast
    sleep 0.3
    xwd -root -silent -display "$DISPLAY" >"$TMP/root.xwd"
    for _ in $(seq 30); do
        sleep 0.3
        xwd -root -silent -display "$DISPLAY" >"$TMP/root2.xwd"
        cmp -s "$TMP/root.xwd" "$TMP/root2.xwd" && break
        mv "$TMP/root2.xwd" "$TMP/root.xwd"
    done
    check "$desc: xwd screenshot taken (the screen settled)" cmp -s "$TMP/root.xwd" "$TMP/root2.xwd"
    kill -TERM $KPID
    wait $KPID
    RC=$?
    check "$desc: exits 0 on SIGTERM (window close)" test "$RC" -eq 0
    accounting "$desc"
}

# 1280x720 window centred on the 1920x1080 screen: x 320..1599, y 180..899
if shot "hold 1280x720" play "$flat" --frames 10 --snapshot "$TMP/snap.png"; then
    for xy in "960 540" "400 250" "1500 850"; do
        # shellcheck disable=SC2086
        rgb=$(xwd_pixel "$TMP/root.xwd" $xy)
        # shellcheck disable=SC2086
        check "screenshot at ($xy) is the frame's colour 190,61,125 (got $rgb)" near $rgb 190 61 125 3
    done
    check "--snapshot (play's own glReadPixels) written" test -s "$TMP/snap.png"
    ffmpeg -v error -i "$TMP/snap.png" -f rawvideo -pix_fmt rgb24 "$TMP/snap.rgb"
    check "--snapshot centre is 190,61,125" python3 -c "
import sys; b=open('$TMP/snap.rgb','rb').read(); i=(360*1280+640)*3
sys.exit(0 if all(abs(a-e)<=3 for a,e in zip(b[i:i+3],(190,61,125))) else 1)"
fi
# a taller window (1280x960, at y 60..1019): the picture is letterboxed to
# 1280x720 at y 180..899 with black bars above and below
if shot "hold letterboxed" play "$flat" --frames 5 --size 1280x960 --gl-path rgb; then
    rgb=$(xwd_pixel "$TMP/root.xwd" 960 540)
    # shellcheck disable=SC2086
    check "letterboxed: centre is 190,61,125 (got $rgb)" near $rgb 190 61 125 3
    for xy in "960 100" "960 980"; do
        # shellcheck disable=SC2086
        rgb=$(xwd_pixel "$TMP/root.xwd" $xy)
        # shellcheck disable=SC2086
        check "letterboxed: bar at ($xy) is black (got $rgb)" near $rgb 0 0 0 0
    done
fi
finish
