#!/usr/bin/env bash
# Impossible requests are usage errors (exit 2) with a message, and write
# nothing (issue #16 item 6).
. "$(dirname "$0")/lib.sh"
f=$(fixture h264.mp4)          # 50 frames at 25 fps: 0 .. 2.0 s

impossible() {   # DESCRIPTION ARGS…
    local d=$1; shift
    rm -f "$TMP/x.y4m"
    expect_rc 2 "$d" decode "$f" "$@" -o "$TMP/x.y4m"
    check "$d: says why on stderr" grep -q 'kzv decode:' "$TMP/err"
    check "$d: no output file left" test ! -e "$TMP/x.y4m"
}
impossible "--start 99 (past the end)" --start 99
impossible "--start 2.0 (the last frame ends there)" --start 2.0
impossible "--start-frame 500 (past the end)" --start-frame 500
impossible "--start-frame 50 (one past the last)" --start-frame 50
impossible "--frames 0" --frames 0
impossible "--start -1" --start -1
impossible "--start-frame -1" --start-frame -1
expect_rc 2 "--start 99 to a pipe" decode "$f" --start 99 -o -
check "--start 99 to a pipe: nothing on stdout" test ! -s "$TMP/out"
# The edges that are possible still work.
expect_rc 0 "--start 1.99 (inside the last frame)" decode "$f" --start 1.99 -o "$TMP/last.png"
expect_rc 0 "--start-frame 49 (the last frame)" decode "$f" --start-frame 49 -o "$TMP/last49.png"
check "--start 1.99 is frame 49" cmp -s "$TMP/last.png" "$TMP/last49.png"
expect_rc 0 "--start 0" decode "$f" --start 0 --frames 1

finish
