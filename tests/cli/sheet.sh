#!/usr/bin/env bash
# sheet: a PNG of the requested width with thumbnails on it.
. "$(dirname "$0")/lib.sh"

f=$(fixture h264.mp4)
expect_rc 0 "sheet --width 640 --cols 4 --rows 3" sheet "$f" -o "$TMP/s.png" --width 640 --cols 4 --rows 3
wh=$(ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 "$TMP/s.png")
check "sheet is a 640-pixel-wide PNG ($wh)" bash -c "[[ '$wh' == png,640,* ]]"
# Thumbnails drawn: most of the picture is not the background colour.
ffmpeg -nostdin -v error -i "$TMP/s.png" -f rawvideo -pix_fmt rgb24 - >"$TMP/s.rgb"
check "sheet holds pictures, not just background" python3 -c '
import sys
d=open(sys.argv[1],"rb").read()
px=[d[i:i+3] for i in range(0,len(d),3)]
bg=bytes((24,24,28))
sys.exit(not sum(p!=bg for p in px) > 0.5*len(px))' "$TMP/s.rgb"

expect_rc 0 "sheet with the defaults" sheet "$f" -o "$TMP/d.png"
wh=$(ffprobe -v error -show_entries stream=width -of csv=p=0 "$TMP/d.png")
check "default width 1280 ($wh)" test "$wh" = 1280

# More cells than frames (25 frames, 64 cells), a size change, 10-bit, VFR.
expect_rc 0 "sheet 8x8 on a 25-frame file" sheet "$(fixture startoffset.mp4)" -o "$TMP/m.png" --cols 8 --rows 8 --width 800
for name in reschange.ts hevc10.mkv vfr.mkv odd.mp4; do
    expect_rc 0 "sheet $name" sheet "$(fixture "$name")" -o "$TMP/$name.png" --width 480 --cols 3 --rows 2
    wh=$(ffprobe -v error -show_entries stream=width -of csv=p=0 "$TMP/$name.png")
    check "$name sheet is 480 wide ($wh)" test "$wh" = 480
done
expect_rc 3 "sheet into an unwritable place" sheet "$f" -o /proc/kzv-no/s.png

finish
