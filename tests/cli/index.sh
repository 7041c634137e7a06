#!/usr/bin/env bash
# index: the demux-only frame index agrees with ffprobe (count, every pts,
# keyframes, packet positions and sizes) and with `kzv frames`.
. "$(dirname "$0")/lib.sh"

for name in h264.mp4 vfr.mkv hevc10.mkv vp9.webm startoffset.mp4 reschange.ts; do
    f=$(fixture "$name")
    expect_rc 0 "index --json $name" index --json "$f"
    check "$name: index --json is valid JSON" json_valid "$TMP/out"
    ffprobe -v error -select_streams v:0 -show_entries packet=pts_time,flags,pos,size \
        -of csv=p=0 "$f" | grep -v '^$' >"$TMP/ref"
    if python3 - "$TMP/out" "$TMP/ref" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
ref = []
for l in open(sys.argv[2]):
    pts, size, pos, flags = l.strip().split(",")[:4]
    if "D" in flags: continue          # discarded packets are not frames
    ref.append((float(pts), "K" in flags, int(pos) if pos != "N/A" else -1, int(size)))
ref.sort()
e = j["entries"]; errs = []
if j["frames"] != len(ref) or len(e) != len(ref): errs.append(f"{j['frames']} frames, ffprobe {len(ref)} packets")
if j["keyframes"] != sum(r[1] for r in ref): errs.append(f"{j['keyframes']} keyframes, ffprobe {sum(r[1] for r in ref)}")
for i, (a, b) in enumerate(zip(e, ref)):
    if a["index"] != i or abs(a["pts"] - b[0]) > 1.5e-6 or a["keyframe"] != b[1] or a["pos"] != b[2] or a["size"] != b[3]:
        errs.append(f"entry {i}: {a} vs ffprobe {b}"); break
for i in range(len(e) - 1):
    if abs(e[i]["pts"] + e[i]["duration"] - e[i + 1]["pts"]) > 1.5e-6:
        errs.append(f"entry {i}: duration does not reach the next pts"); break
for x in errs: print("   ", x)
sys.exit(1 if errs else 0)
PY
    then ok "$name: index matches ffprobe's packets (count, pts, keyframes, pos, size)"
    else fail "$name: index differs from ffprobe"; fi
done

expect_rc 0 "index (text)" index "$(fixture h264.mp4)"
check "text: 50 entry lines" test "$(grep -vc '^#' "$TMP/out")" -eq 50
expect_rc 3 "index on garbage" index "$(fixture garbage.mp4)"
expect_rc 2 "index without FILE" index

# --save / --load: the saved index answers like a scan; a changed file's is
# refused (said on stderr) and the file scanned again.
cp "$(fixture vfr.mkv)" "$TMP/v.mkv"
expect_rc 0 "index --save" index --json --save "$TMP/v.kzvidx" "$TMP/v.mkv"
cp "$TMP/out" "$TMP/scan.json"
check "the index file exists" test -s "$TMP/v.kzvidx"
expect_rc 0 "index --load" index --json --load "$TMP/v.kzvidx" "$TMP/v.mkv"
check "loaded index prints the same entries" cmp -s <(grep -o '"entries".*' "$TMP/scan.json") <(grep -o '"entries".*' "$TMP/out")
check "a fresh index is used without a word" test ! -s "$TMP/err"
touch -d '2001-01-01' "$TMP/v.mkv"
expect_rc 0 "index --load of a touched file" index --load "$TMP/v.kzvidx" "$TMP/v.mkv"
check "the stale index is said so" grep -q "stale" "$TMP/err"
expect_rc 3 "index --save into a missing directory" index --save "$TMP/no/dir/x" "$TMP/v.mkv"

finish
