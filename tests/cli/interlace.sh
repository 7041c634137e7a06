#!/usr/bin/env bash
# Interlacing is visible (issue #16 item 4): probe's field_order and scan,
# frames --json's interlaced / top_field_first / repeat_pict, per frame as
# ffprobe -show_frames reports them.
. "$(dirname "$0")/lib.sh"
mk() {   # NAME FILTER TOP
    ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25 -t 0.4 -vf "$2" \
        -flags +ildct+ilme -top "$3" -c:v mpeg2video -q:v 4 -y "$TMP/$1.ts"
}
mk tff setfield=tff 1
mk bff setfield=bff 0
ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25 -t 0.4 -c:v mpeg2video -y "$TMP/prog.ts"

for n in tff bff prog; do
    f=$TMP/$n.ts
    expect_rc 0 "$n: probe --json" probe "$f" --json
    want=$(ffprobe -v error -select_streams v:0 -show_entries stream=field_order -of default=nw=1:nk=1 "$f" | head -1)
    got=$(/usr/bin/python3 -c 'import json,sys
v=[s for s in json.load(open(sys.argv[1]))["streams"] if s["decoded"]][0]; print(v["field_order"])' "$TMP/out")
    check "$n: field_order '$got' == ffprobe's '$want'" test "$got" = "$want"
    expect_rc 0 "$n: frames --json" frames "$f" --json
    cp "$TMP/out" "$TMP/k.jsonl"
    ffprobe -v error -select_streams v:0 -show_entries frame=interlaced_frame,top_field_first,repeat_pict \
        -of json "$f" >"$TMP/ff.json"
    check "$n: every frame's interlaced/top_field_first/repeat_pict == ffprobe's" /usr/bin/python3 - \
        "$TMP/k.jsonl" "$TMP/ff.json" <<'PY'
import json, sys
k = [json.loads(l) for l in open(sys.argv[1])]
f = json.load(open(sys.argv[2]))["frames"]
assert len(k) == len(f), (len(k), len(f))
# ffprobe lists frames in decode-output order, which is display order here
for a, b in zip(k, f):
    assert a["interlaced"] == bool(b["interlaced_frame"]), (a, b)
    assert a["top_field_first"] == bool(b["interlaced_frame"] and b["top_field_first"]), (a, b)
    assert a["repeat_pict"] == b["repeat_pict"], (a, b)
PY
done
expect_rc 0 "probe text on the tff stream" probe "$TMP/tff.ts"
check "text: interlaced, top field first" grep -q 'Scan: *interlaced, top field first' "$TMP/out"
expect_rc 0 "frames text on the bff stream" frames "$TMP/bff.ts"
check "text: B marks bottom-field-first frames" grep -q '160x120 B$' "$TMP/out"

finish
