#!/usr/bin/env bash
# --policy drop never drops silently: the number dropped is on stderr
# whenever the output has fewer frames than the stream (issue #16 item 5).
. "$(dirname "$0")/lib.sh"
f=$(fixture h264.mp4)          # 50 frames
# PNG writing is much slower than decoding 320x240 H.264: with one slot
# in the queue most frames are dropped.
expect_rc 0 "--queue 1 --policy drop -o DIR" decode "$f" --queue 1 --policy drop -o "$TMP/d/"
n=$(ls "$TMP/d" | wc -l)
if [ "$n" -lt 50 ]; then
    check "$n of 50 written: stderr says $((50 - n)) dropped" \
        grep -q "$((50 - n)) of 50 frames dropped" "$TMP/err"
else
    check "nothing dropped: nothing said about drops" test -z "$(grep dropped "$TMP/err")"
fi
"$KZV" decode "$f" --queue 1 --policy drop -o - 2>"$TMP/err2" | wc -c >"$TMP/bytes"
n=$(( $(cat "$TMP/bytes") / (320 * 240 * 3) ))
if [ "$n" -lt 50 ]; then
    check "pipe: $n of 50 written: stderr says so" grep -q "$((50 - n)) of 50 frames dropped" "$TMP/err2"
else
    ok "pipe: nothing dropped this time"
fi
expect_rc 0 "--policy block: every frame" decode "$f" --queue 1 --policy block -o "$TMP/b/"
check "block: 50 PNGs" test "$(ls "$TMP/b" | wc -l)" -eq 50
check "block: no drop warning" test -z "$(grep dropped "$TMP/err")"

finish
