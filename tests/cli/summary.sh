#!/usr/bin/env bash
# Progress for scripts (issue #16 item 8): a summary line on stderr at the
# end whatever stderr is (not with -q), and --progress FILE|- blocks of
# key=value lines like ffmpeg's -progress.
. "$(dirname "$0")/lib.sh"
f=$(fixture h264.mp4)          # 50 frames, 2 s

expect_rc 0 "decode -o DIR (stderr a file)" decode "$f" -o "$TMP/png/"
check "summary line: 50 frames, seconds, fps, where" \
    grep -Eq "^50 frames \(rgb24 320x240\) in [0-9.]+ s, [0-9.]+ fps -> $TMP/png/\$" "$TMP/err"
expect_rc 0 "decode -q" decode "$f" -o "$TMP/png2/" -q
check "-q: nothing on stderr" test ! -s "$TMP/err"
expect_rc 0 "sheet (stderr a file)" sheet "$f" -o "$TMP/s.png"
check "sheet: summary line" grep -Eq "^wrote $TMP/s.png: [0-9]+x[0-9]+, 16 frames in [0-9.]+ s\$" "$TMP/err"
expect_rc 0 "sheet -q" sheet "$f" -o "$TMP/s2.png" -q
check "sheet -q: nothing on stderr" test ! -s "$TMP/err"

blocks_ok() {   # FILE FRAMES: well-formed blocks, the last progress=end with FRAMES
    /usr/bin/python3 - "$1" "$2" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines and lines[-1] == "progress=end", lines[-3:]
blocks, cur = [], {}
for l in lines:
    k, _, v = l.partition("=")
    assert _, l
    cur[k] = v
    if k == "progress":
        blocks.append(cur); cur = {}
assert not cur
for b in blocks:
    for k in ("frame", "fps", "total_frames", "out_time_us", "out_time", "elapsed", "speed", "progress"):
        assert k in b, (k, b)
    assert b["progress"] in ("continue", "end")
last = blocks[-1]
assert int(last["frame"]) == int(sys.argv[2]), last
frames = [int(b["frame"]) for b in blocks]
assert frames == sorted(frames)
PY
}
expect_rc 0 "decode --progress FILE" decode "$f" -o "$TMP/a.y4m" --progress "$TMP/prog.txt" -q
check "--progress FILE: blocks ending progress=end, frame=50" blocks_ok "$TMP/prog.txt" 50
check "--progress: out_time of the last block 00:00:01.960000" grep -q '^out_time=00:00:01.960000$' "$TMP/prog.txt"
expect_rc 0 "decode --progress - (stdout)" decode "$f" -o "$TMP/b/" --progress - -q
check "--progress -: the blocks on stdout" blocks_ok "$TMP/out" 50
expect_rc 2 "--progress - with -o - is a usage error" decode "$f" -o - --progress -
expect_rc 0 "frames --progress FILE" frames "$f" --progress "$TMP/fp.txt"
check "frames --progress: blocks" blocks_ok "$TMP/fp.txt" 50
expect_rc 0 "validate --progress FILE" validate "$f" --progress "$TMP/vp.txt"
check "validate --progress: blocks" blocks_ok "$TMP/vp.txt" 50
expect_rc 3 "--progress into an unwritable place" decode "$f" --progress /proc/kzv-no/p.txt

finish
