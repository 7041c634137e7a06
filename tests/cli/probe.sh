#!/usr/bin/env bash
# probe: the text summary and --json (valid JSON in ffprobe's shape, values
# equal ffprobe's: issue #16 items 11 and 12).
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
    ffprobe -v error -count_frames -show_format -show_streams -of json "$f" >"$TMP/ff.json"
    if python3 - "$TMP/probe.json" "$TMP/ff.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1])); f = json.load(open(sys.argv[2]))
errs = []
if set(k) != {"format", "streams"}: errs.append(f"top-level keys {sorted(k)}")
v = [s for s in k["streams"] if s.get("decoded")]
fv = [s for s in f["streams"] if s["codec_type"] == "video"][0]
if len(v) != 1: errs.append("not exactly one decoded stream")
v = v[0]
for key in ("index", "codec_name", "codec_type", "width", "height", "pix_fmt", "time_base",
            "avg_frame_rate", "sample_aspect_ratio", "display_aspect_ratio", "color_range",
            "color_space", "color_transfer", "color_primaries", "chroma_location",
            "field_order", "start_time", "nb_read_frames"):
    want = fv.get(key)
    if want in ("unknown", "0/0", "N/A"): want = None
    if key == "color_space" and want == "unknown": want = None
    if v.get(key, "missing") != want and not (want is None and v.get(key) is None):
        errs.append(f"{key}: kzv {v.get(key, 'missing')!r} != ffprobe {want!r}")
for key in ("nb_streams", "format_name", "duration", "size", "start_time"):
    if k["format"].get(key) != f["format"].get(key):
        errs.append(f"format.{key}: kzv {k['format'].get(key)!r} != ffprobe {f['format'].get(key)!r}")
rot = [d.get("rotation") for d in fv.get("side_data_list", []) if d.get("side_data_type") == "Display Matrix"]
krot = [d.get("rotation") for d in v.get("side_data_list", [])]
if rot != krot: errs.append(f"Display Matrix rotation: kzv {krot} != ffprobe {rot}")
if v.get("rotation") != (rot[0] if rot else 0): errs.append(f"rotation {v.get('rotation')} != {rot}")
if v.get("total_frames") != int(fv["nb_read_frames"]): errs.append("total_frames")
for e in errs: print("   ", e)
sys.exit(1 if errs else 0)
PY
    then ok "$name: probe --json has ffprobe's shape, names and values"
    else fail "$name: probe --json differs from ffprobe"; fi
done

dec() { /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))
v=[s for s in j["streams"] if s["decoded"]][0]; print(json.dumps(v[sys.argv[2]]))' "$TMP/out" "$1"; }
# Details ffprobe also knows.
f=$(fixture hevc10.mkv)
run_kzv probe --json "$f"
check "hevc10: bit_depth 10" test "$(dec bit_depth)" = 10
check "hevc10: pix_fmt yuv420p10le" test "$(dec pix_fmt)" = '"yuv420p10le"'
check "hevc10: color_matrix bt709" test "$(dec color_matrix)" = '"bt709"'
f=$(fixture rotate90.mp4)
run_kzv probe --json "$f"
check "rotate90: rotation -90, ffprobe's sign" test "$(dec rotation)" = -90
f=$(fixture startoffset.mp4)
run_kzv probe --json "$f"
check "startoffset: start_time about 10 s" /usr/bin/python3 -c '
import json,sys; v=[s for s in json.load(open(sys.argv[1]))["streams"] if s["decoded"]][0]
sys.exit(not 9.9 < float(v["start_time"]) < 10.2)' "$TMP/out"

# Without --count a container without a header count reports null, never a guess.
f=$(fixture vfr.mkv)
run_kzv probe --json "$f"
check "vfr.mkv without --count: total_frames null" test "$(dec total_frames)" = null
check "vfr.mkv without --count: no nb_read_frames" test "$(dec nb_read_frames 2>/dev/null)" = ""

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
