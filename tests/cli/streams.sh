#!/usr/bin/env bash
# probe lists every stream like ffprobe (audio, subtitles, attachments), and
# --stream N chooses the video stream in every command (issue #16 item 13).
. "$(dirname "$0")/lib.sh"
cat >"$TMP/subs.ass" <<'ASS'
[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.00,0:00:00.80,Default,,0,0,0,,hello
ASS
printf 'not really a font' >"$TMP/font.ttf"
# video 0 (160x120), audio 1 (jpn), video 2 (96x64), subtitle 3, attachment 4
ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25 -f lavfi -i sine=f=440:sample_rate=48000 \
    -f lavfi -i testsrc2=size=96x64:rate=10 -i "$TMP/subs.ass" \
    -attach "$TMP/font.ttf" -metadata:s:4 mimetype=application/x-truetype-font \
    -map 0:v -map 1:a -map 2:v -map 3:s -t 1 -c:v libx264 -g 5 -c:a aac -c:s ass \
    -metadata:s:a:0 language=jpn -metadata:s:s:0 title=Signs -y "$TMP/multi.mkv"
f=$TMP/multi.mkv

expect_rc 0 "probe --json on a file with 5 streams" probe "$f" --json
cp "$TMP/out" "$TMP/k.json"
ffprobe -v error -show_format -show_streams -of json "$f" >"$TMP/ff.json"
check "every stream, with ffprobe's index, codec_name, codec_type and tags" /usr/bin/python3 - \
    "$TMP/k.json" "$TMP/ff.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1])); f = json.load(open(sys.argv[2]))
assert len(k["streams"]) == len(f["streams"]) == 5, (len(k["streams"]), len(f["streams"]))
assert k["format"]["nb_streams"] == f["format"]["nb_streams"] == 5
for a, b in zip(k["streams"], f["streams"]):
    for key in ("index", "codec_name", "codec_type"):
        assert a[key] == b.get(key), (key, a[key], b.get(key))
    for t in ("language", "title", "filename", "mimetype"):
        if t in b.get("tags", {}):
            assert a["tags"].get(t) == b["tags"][t], (t, a["tags"], b["tags"])
    if b["codec_type"] == "audio":
        for key in ("sample_rate", "channels", "channel_layout", "sample_fmt"):
            assert a[key] == b[key], (key, a[key], b[key])
    if b["codec_type"] == "video":
        assert (a["width"], a["height"]) == (b["width"], b["height"])
assert [s["decoded"] for s in k["streams"]] == [True, False, False, False, False]
PY
expect_rc 0 "probe text" probe "$f"
check "text lists the audio stream" grep -q '#1 audio .*aac.*\[jpn\]' "$TMP/out"
check "text lists the subtitles" grep -q '#3 subtitle .*ass' "$TMP/out"
check "text lists the attachment" grep -q '#4 attachment .*font.ttf' "$TMP/out"

# --stream N: the second video stream, in every command.
expect_rc 0 "probe --stream 2" probe "$f" --stream 2 --json
check "probe --stream 2 decodes stream 2 (96x64)" /usr/bin/python3 -c '
import json,sys; v=[s for s in json.load(open(sys.argv[1]))["streams"] if s["decoded"]]
sys.exit(not (len(v) == 1 and v[0]["index"] == 2 and v[0]["width"] == 96))' "$TMP/out"
expect_rc 0 "decode --stream 2" decode "$f" --stream 2 --frames 1 -o "$TMP/s2.rgb"
check "decode --stream 2: a 96x64 frame" test "$(stat -c %s "$TMP/s2.rgb")" = $((96 * 64 * 3))
expect_rc 0 "frames --stream 2" frames "$f" --stream 2 --json
check "frames --stream 2: 10 frames at 10 fps" test "$(wc -l <"$TMP/out")" = 10
expect_rc 0 "validate --stream 2" validate "$f" --stream 2
expect_rc 0 "index --stream 2" index "$f" --stream 2 --json
expect_rc 0 "sheet --stream 2" sheet "$f" --stream 2 -o "$TMP/s.png" --cols 2 --rows 1
expect_rc 0 "bench --stream 2" bench "$f" --stream 2 --frames 3
expect_rc 3 "--stream 1 (audio) is an input error" decode "$f" --stream 1
expect_rc 3 "--stream 9 (no such stream)" probe "$f" --stream 9
expect_rc 2 "--stream x" probe "$f" --stream x

finish
