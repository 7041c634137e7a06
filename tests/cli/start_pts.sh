#!/usr/bin/env bash
# A pts printed by `kzv frames` fed back to `decode --start` means that
# frame (issue #16 item 14): 28/30 s prints as 0.933333, which is below the
# frame's true pts; a start within half a tick of a pts snaps to it.
. "$(dirname "$0")/lib.sh"
ffmpeg -v error -f lavfi -i testsrc=size=64x48:rate=30 -t 1.2 -c:v libx264 -g 10 -bf 2 \
    -pix_fmt yuv420p -y "$TMP/thirty.mp4"
f=$TMP/thirty.mp4
expect_rc 0 "frames --json" frames "$f" --json
cp "$TMP/out" "$TMP/frames.jsonl"
check "frames --json has time_base and pts_ts" grep -q '"pts_ts":[0-9]*,"time_base":"1/[0-9]*"' "$TMP/frames.jsonl"
check "pts == pts_ts * time_base (to 6 decimals) on every line" /usr/bin/python3 - "$TMP/frames.jsonl" <<'PY'
import json, sys
from fractions import Fraction
for line in open(sys.argv[1]):
    o = json.loads(line)
    n, d = map(int, o["time_base"].split("/"))
    exact = Fraction(o["pts_ts"]) * n / d
    assert abs(float(exact) - o["pts"]) <= 5e-7, o
PY
for i in 1 7 14 28 29 35; do
    pts=$(awk -v i=$i '$1 == i { print $2 }' <("$KZV" frames "$f" 2>/dev/null))
    "$KZV" decode "$f" --start "$pts" --frames 1 -o "$TMP/by-pts-$i.rgb" 2>/dev/null
    "$KZV" decode "$f" --start-frame $i --frames 1 -o "$TMP/by-index-$i.rgb" 2>/dev/null
    check "frame $i: --start $pts (as frames prints it) is frame $i" \
        cmp -s "$TMP/by-pts-$i.rgb" "$TMP/by-index-$i.rgb"
done
# A time well inside a frame still means the frame displayed then.
"$KZV" decode "$f" --start 0.95 --frames 1 -o "$TMP/mid.rgb" 2>/dev/null
check "--start 0.95 is frame 28 (displayed 0.9333 .. 0.9667)" cmp -s "$TMP/mid.rgb" "$TMP/by-index-28.rgb"

finish
