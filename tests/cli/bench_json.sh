#!/usr/bin/env bash
# bench (issue #16 item 9): --json like the other info commands, a
# conversion share that is a share (0..100 %, never negative), and rows
# whose columns line up.
. "$(dirname "$0")/lib.sh"
# A VFR mp4 (the issue's example): frame rate switching mid-file.
ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=30 -t 1 -vf "setpts='if(lt(N,15),N/30,0.5+(N-15)/12)/TB'" \
    -fps_mode passthrough -c:v libx264 -y "$TMP/vfr.mp4" 2>/dev/null ||
ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=30 -t 1 -vf "setpts='if(lt(N,15),N/30,0.5+(N-15)/12)/TB'" \
    -vsync passthrough -c:v libx264 -y "$TMP/vfr.mp4"
for f in "$TMP/vfr.mp4" "$(fixture h264.mp4)" "$(fixture vfr.mkv)"; do
    n=$(basename "$f")
    expect_rc 0 "$n: bench --json" bench "$f" --json
    check "$n: one valid JSON object" json_valid "$TMP/out"
    check "$n: every stage, a share in 0..1" /usr/bin/python3 - "$TMP/out" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
names = [s["name"] for s in j["stages"]]
assert names == ["index", "decode", "full", "demux", "codec", "convert", "hand-over"], names
assert 0 <= j["conversion_share"] <= 1, j["conversion_share"]
for s in j["stages"]:
    assert s["seconds"] >= 0 and s["frames"] > 0, s
PY
    expect_rc 0 "$n: bench (text)" bench "$f"
    check "$n: the share is not negative" grep -Eq '^  conversion: [0-9.]+% of the full pass' "$TMP/out"
    check "$n: every row's time column lines up (hand-over too)" /usr/bin/python3 - "$TMP/out" <<'PY'
import re, sys
cols = {m.start(1) for l in open(sys.argv[1]) if (m := re.search(r"\d\.\d{3} (s)  ", l))}
assert len(cols) == 1, cols
PY
done

finish
