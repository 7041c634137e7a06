#!/usr/bin/env bash
# probe: the text summary and --json (valid JSON, values equal ffprobe's).
. "$(dirname "$0")/lib.sh"

for name in h264.mp4 hevc10.mkv vp9.webm vfr.mkv startoffset.mp4 rotate90.mp4; do
    f=$(fixture "$name")
    expect_rc 0 "probe --json --count $name" probe --json --count "$f"
    if ! json_valid "$TMP/out"; then
        fail "$name: probe --json is not valid JSON"; cat "$TMP/out"; continue
    fi
    ok "$name: probe --json is valid JSON"
    cp "$TMP/out" "$TMP/probe.json"
    w=$(ffprobe_stream "$f" width); h=$(ffprobe_stream "$f" height)
    codec=$(ffprobe_stream "$f" codec_name); rate=$(ffprobe_stream "$f" avg_frame_rate)
    count=$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames \
            -of default=nw=1:nk=1 "$f" | head -1)
    if python3 - "$TMP/probe.json" "$w" "$h" "$codec" "$rate" "$count" <<'PY'
import json, sys
from fractions import Fraction
j = json.load(open(sys.argv[1]))
w, h, codec, rate, count = sys.argv[2:]
errs = []
keys = ("codec width height fps frame_rate total_frames header_frames duration start_time "
        "container pix_fmt bit_depth color_matrix color_range color_primaries color_transfer "
        "rotation time_base bit_rate").split()
for k in keys:
    if k not in j: errs.append("missing key " + k)
if j.get("width") != int(w): errs.append(f"width {j.get('width')} != ffprobe {w}")
if j.get("height") != int(h): errs.append(f"height {j.get('height')} != ffprobe {h}")
if j.get("codec") != codec: errs.append(f"codec {j.get('codec')} != ffprobe {codec}")
if j.get("total_frames") != int(count):
    errs.append(f"total_frames {j.get('total_frames')} != ffprobe nb_read_frames {count}")
fr = Fraction(rate) if rate not in ("0/0", "") else None
if fr:
    if j.get("fps") is None or abs(j["fps"] - float(fr)) > 1e-3:
        errs.append(f"fps {j.get('fps')} != ffprobe {rate}")
    if j.get("frame_rate") is None or Fraction(j["frame_rate"]) != fr:
        errs.append(f"frame_rate {j.get('frame_rate')} != ffprobe {rate}")
for e in errs: print("   ", e)
sys.exit(1 if errs else 0)
PY
    then ok "$name: width/height/codec/fps/total_frames equal ffprobe's"
    else fail "$name: probe --json differs from ffprobe"; fi
done

# Details ffprobe also knows.
f=$(fixture hevc10.mkv)
run_kzv probe --json "$f"
check "hevc10: bit_depth 10, pix_fmt yuv420p10le" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
sys.exit(not (j["bit_depth"]==10 and j["pix_fmt"]=="yuv420p10le" and j["color_matrix"]=="bt709"))' "$TMP/out"
f=$(fixture rotate90.mp4)
run_kzv probe --json "$f"
check "rotate90: rotation 90" python3 -c '
import json,sys; sys.exit(json.load(open(sys.argv[1]))["rotation"] != 90)' "$TMP/out"
f=$(fixture startoffset.mp4)
run_kzv probe --json "$f"
check "startoffset: start_time about 10 s" python3 -c '
import json,sys; sys.exit(not 9.9 < json.load(open(sys.argv[1]))["start_time"] < 10.2)' "$TMP/out"

# Without --count a container without a header count reports -1, never a guess.
f=$(fixture vfr.mkv)
run_kzv probe --json "$f"
check "vfr.mkv without --count: total_frames -1" python3 -c '
import json,sys; sys.exit(json.load(open(sys.argv[1]))["total_frames"] != -1)' "$TMP/out"

# The readable summary.
f=$(fixture h264.mp4)
expect_rc 0 "probe text" probe "$f"
check "text summary names the codec and size" grep -q '320x240' "$TMP/out"
check "text summary names the codec" grep -q 'h264' "$TMP/out"

# File names that need escaping in JSON: quote, backslash, tab, non-UTF-8 byte.
odd="$TMP/$(printf 'we\\ird "name"\t\xff.mp4')"
cp "$f" "$odd"
expect_rc 0 "probe --json on an odd file name" probe --json "$odd"
check "odd file name: still valid JSON" json_valid "$TMP/out"

finish
