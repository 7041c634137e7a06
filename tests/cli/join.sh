#!/usr/bin/env bash
# join: segments cut from a source at its keyframes (ffmpeg's segment muxer,
# stream copy, timestamps kept) come back together as the source itself:
# every video packet (pts, flags, bytes) as the source's, every audio,
# subtitle packet, attachment and chapter copied, languages and dispositions
# kept; Matroska (decode times left out by the container) and MP4 (decode
# times stored, VFR, start offset). Failures leave no file behind.
. "$(dirname "$0")/lib.sh"

FONT=$(fc-match -f '%{file}' 'DejaVu Sans' 2>/dev/null || true)
cat >"$TMP/sub.ass" <<'ASS'
[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,DejaVu Sans,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.50,0:00:01.50,Default,,0,0,0,,Hello
Dialogue: 0,0:00:02.00,0:00:03.00,Default,,0,0,0,,World
ASS
printf ';FFMETADATA1\ntitle=Episode 1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=One\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=4000\ntitle=Two\n' >"$TMP/ch.txt"
attach=()
[ -n "$FONT" ] && attach=(-attach "$FONT" -metadata:s:t mimetype=font/ttf)

# Matroska: two audio languages (the second not default), ASS, a font,
# chapters, a 23 ms start offset, B-frames, a keyframe every 24 frames.
ffmpeg -v error -f lavfi -i testsrc2=size=160x120:rate=24000/1001:duration=4 \
    -f lavfi -i sine=f=440:d=4 -f lavfi -i sine=f=660:d=4 -i "$TMP/sub.ass" -i "$TMP/ch.txt" \
    -map 0:v -map 1:a -map 2:a -map 3:s -map_metadata 4 -c:v libx264 -preset ultrafast -bf 2 -g 24 \
    -pix_fmt yuv420p -c:a aac -c:s ass -metadata:s:a:0 language=jpn -metadata:s:a:1 language=eng \
    -disposition:a:0 default -disposition:a:1 0 "${attach[@]}" -output_ts_offset 0.023 "$TMP/src.mkv" ||
    { echo "FAIL: could not make the mkv source"; exit 1; }
# MP4: VFR (a jump in the frame spacing), AAC, B-frames.
ffmpeg -v error -f lavfi -i testsrc2=size=160x120:rate=25:duration=4 -f lavfi -i sine=f=500:d=4 \
    -vf "setpts='if(lt(N,40),N,N+20)/25/TB'" -fps_mode vfr -c:v libx264 -preset ultrafast -bf 3 -g 20 \
    -pix_fmt yuv420p -c:a aac "$TMP/src.mp4" || { echo "FAIL: could not make the mp4 source"; exit 1; }

# packets FILE STREAM: one line per packet: pts, flags, data hash.
packets() {
    ffprobe -v error -select_streams "$2" -show_packets -show_data_hash MD5 -of compact=p=0 "$1" |
        grep -o 'pts=[^|]*\|flags=[^|]*\|data_hash=[^|]*' | paste -d' ' - - -
}

for ext in mkv mp4; do
    src=$TMP/src.$ext
    mkdir -p "$TMP/$ext"
    frames=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$src")
    # Cut at keyframes only (stream copy): the parts hold the source's own packets.
    ffmpeg -v error -copyts -i "$src" -map 0:v -c copy -f segment -segment_frames 24,48,72 \
        -reset_timestamps 0 -avoid_negative_ts disabled "$TMP/$ext/part%d.$ext" ||
        { fail "$ext: ffmpeg could not cut the parts"; continue; }
    parts=("$TMP/$ext"/part*.$ext)
    check "$ext: cut into ${#parts[@]} parts" [ "${#parts[@]}" -ge 3 ]
    expect_rc 0 "$ext: join ${#parts[@]} parts with the source's streams" join "$TMP/out.$ext" "${parts[@]}" --source "$src"
    for s in v:0 a:0 a:1 s:0; do
        packets "$src" "$s" >"$TMP/want"
        [ -s "$TMP/want" ] || continue
        packets "$TMP/out.$ext" "$s" >"$TMP/got"
        check "$ext: stream $s: every packet as in the source ($(wc -l <"$TMP/want") packets)" cmp -s "$TMP/want" "$TMP/got"
    done
    ffprobe -v error -show_entries stream=codec_type,codec_name:stream_tags=language,mimetype,filename:stream_disposition=default \
        -show_entries chapter=start,end:chapter_tags=title -show_entries format_tags=title -of compact "$src" |
        grep -v ENCODER >"$TMP/want"
    ffprobe -v error -show_entries stream=codec_type,codec_name:stream_tags=language,mimetype,filename:stream_disposition=default \
        -show_entries chapter=start,end:chapter_tags=title -show_entries format_tags=title -of compact "$TMP/out.$ext" |
        grep -v ENCODER >"$TMP/got"
    check "$ext: streams, languages, dispositions, attachments, chapters, title as the source's" cmp -s "$TMP/want" "$TMP/got" ||
        diff "$TMP/want" "$TMP/got" | head -10
    check "$ext: decodes cleanly, $frames frames" \
        [ "$(ffmpeg -v error -i "$TMP/out.$ext" -map 0:v -f framecrc - 2>&1 | grep -vc '^#')" = "$frames" ]
    expect_rc 0 "$ext: video only (no --source)" join "$TMP/vonly.$ext" "${parts[@]}"
    check "$ext: video only has one stream" [ "$(ffprobe -v error -show_entries stream=index -of csv=p=0 "$TMP/vonly.$ext" | wc -l)" = 1 ]
done

# Parts that do not belong together, missing inputs, unwritable output: exit 3,
# a message naming the file, nothing left that looks finished.
ffmpeg -v error -f lavfi -i testsrc2=size=176x144:rate=25:duration=1 -c:v libx264 -preset ultrafast "$TMP/other.mkv"
expect_rc 3 "parts of different sizes refused" join "$TMP/bad.mkv" "$TMP/mkv/part0.mkv" "$TMP/other.mkv"
check "the message names the odd part" grep -q "other.mkv.*differs" "$TMP/err"
expect_rc 3 "a missing part" join "$TMP/bad.mkv" "$TMP/mkv/part0.mkv" "$TMP/nope.mkv"
check "the message names the missing part" grep -q "nope.mkv" "$TMP/err"
expect_rc 3 "an audio-only part" join "$TMP/bad.mkv" "$TMP/src.mp4" "$TMP/mkv/part0.mkv" --source "$TMP/nope.mkv"
expect_rc 3 "a container that cannot hold the source's ASS and font" join "$TMP/bad.mp4" "$TMP/mkv/part0.mkv" --source "$TMP/src.mkv"
expect_rc 3 "an unwritable output directory" join "$TMP/no/such/dir/out.mkv" "$TMP/mkv/part0.mkv"
check "no output and no temporary file left by the failures" \
    [ -z "$(ls "$TMP" | grep -E '^bad\.|partial')" ]
expect_rc 2 "no parts: usage" join "$TMP/x.mkv"
expect_rc 2 "unknown option: usage" join --bogus "$TMP/x.mkv" "$TMP/mkv/part0.mkv"
finish
