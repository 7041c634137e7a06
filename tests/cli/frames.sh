#!/usr/bin/env bash
# frames: one line per frame; --json lines; count and pts equal ffprobe's.
. "$(dirname "$0")/lib.sh"

for name in h264.mp4 vfr.mkv startoffset.mp4 hevc10.mkv vp9.webm mpeg4.avi reschange.ts; do
    f=$(fixture "$name")
    expect_rc 0 "frames --json $name" frames --json "$f"
    check "$name: every line is valid JSON" json_valid "$TMP/out" --lines
    ffprobe -v error -select_streams v:0 -show_entries frame=best_effort_timestamp_time \
        -of csv=p=0 "$f" | grep -v '^$' >"$TMP/ref"
    if python3 - "$TMP/out" "$TMP/ref" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ref = [float(l.split(",")[0]) for l in open(sys.argv[2]) if l.strip() and l.strip() != "N/A"]
errs = []
if len(rows) != len(ref):
    errs.append(f"{len(rows)} frames, ffprobe {len(ref)}")
for k in ("index", "pts", "pts_ts", "duration", "keyframe", "width", "height"):
    if rows and k not in rows[0]: errs.append("missing key " + k)
for i, r in enumerate(rows):
    if r["index"] != i: errs.append(f"line {i}: index {r['index']}"); break
ref.sort()  # ffprobe lists frames in decode-output order, which is display order
for i, (r, p) in enumerate(zip(rows, ref)):
    if r["pts"] is None or abs(r["pts"] - p) > 1.5e-6:
        errs.append(f"frame {i}: pts {r['pts']} != ffprobe {p}"); break
if rows and not rows[0]["keyframe"]: errs.append("first frame not a keyframe")
for e in errs: print("   ", e)
sys.exit(1 if errs else 0)
PY
    then ok "$name: frame count and pts equal ffprobe's"
    else fail "$name: frames --json differs from ffprobe"; fi
done

# Text mode: one line per frame plus a header and a summary line.
f=$(fixture h264.mp4)
expect_rc 0 "frames (text) h264.mp4" frames "$f"
n=$(grep -vc '^#' "$TMP/out")
check "text mode: 50 frame lines (got $n)" test "$n" -eq 50
check "text mode: first frame is marked K" bash -c "grep -v '^#' '$TMP/out' | head -1 | grep -q ' K '"
check "text mode: pts printed with 6 decimals" bash -c "grep -v '^#' '$TMP/out' | sed -n 2p | grep -q ' 0\.040000 '"
check "text mode: summary line" grep -q '^# 50 frames' "$TMP/out"

# reschange: the sizes change in the listing.
f=$(fixture reschange.ts)
run_kzv frames --json "$f"
check "reschange: frames of both sizes listed" bash -c \
    "grep -q '\"width\":320' '$TMP/out' && grep -q '\"width\":480' '$TMP/out'"

finish
