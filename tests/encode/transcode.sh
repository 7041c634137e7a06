# kzv transcode keeps everything: after --scale 2 and after --filter-cmd
# (filter_test.c), the output has the source's frame count and every pts,
# byte-identical audio and subtitle packets per stream, the attachment, the
# chapters, dispositions, languages and colour tags; stream choice; a cut;
# 10-bit HEVC stays 10-bit.
. "$(dirname "$0")/lib.sh"

SRC=$TMP/rich.mkv
make_rich_source "$SRC" || { echo "FAIL: cannot make the source"; exit 1; }
WANT_PTS=$(pts_list "$SRC")
FIRST=$(echo "$WANT_PTS" | head -1)
STEPS=$(echo "$WANT_PTS" | head -5 | awk 'NR > 1 {printf "%d ", $1 - p} {p = $1}')
check "the source is VFR ($STEPS) with a non-zero start ($FIRST ms)" [ "$FIRST" -gt 0 -a "$STEPS" == "47 47 25 48 " ]

compare_all() { # compare_all OUT W H LABEL
    local out=$1 label=$4
    same "$label: every pts (and the frame count) as in the source" "$WANT_PTS" "$(pts_list "$out")"
    for s in a:0 a:1 s:0; do
        same "$label: $s packets byte-identical" "$(pkt_hash "$SRC" $s)" "$(pkt_hash "$out" $s)"
    done
    same "$label: streams, languages, titles, dispositions, attachment" "$(streams "$SRC")" "$(streams "$out")"
    same "$label: chapters" "$(chapters "$SRC")" "$(chapters "$out")"
    same "$label: colour tags" "$(colour "$SRC")" "$(colour "$out")"
    same "$label: size" "$2,$3" "$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$out")"
    same "$label: global metadata" "kzv test" "$(ffprobe -v error -show_entries format_tags=title -of csv=p=0 "$out")"
}

expect_rc 0 "--scale 2" transcode --scale 2 --preset ultrafast -x bf=2 -q "$SRC" "$TMP/scaled.mkv"
compare_all "$TMP/scaled.mkv" 128 96 "scale 2"

expect_rc 0 "--filter-cmd" transcode --filter-cmd "$FT scale2 64 48 3" --filter-size 128x96 \
    --preset ultrafast --crf 20 --progress "$TMP/progress.txt" "$SRC" "$TMP/filtered.mkv"
compare_all "$TMP/filtered.mkv" 128 96 "filter"
check "--progress: key=value blocks ending in progress=end" grep -q '^progress=end$' "$TMP/progress.txt"
check "--progress: frame=50 in the last block" [ "$(grep '^frame=' "$TMP/progress.txt" | tail -1)" == "frame=50" ]

expect_rc 0 "plain re-encode to MP4" transcode --preset ultrafast -q "$SRC" "$TMP/plain.mp4"
same "mp4: every pts" "$WANT_PTS" "$(ffprobe -v error -select_streams v:0 -show_entries frame=pts_time -of csv=p=0 "$TMP/plain.mp4" \
    | grep -o '^[0-9.-]*' | grep . | awk '{printf "%d\n", $1 * 1000 + 0.5}')"
same "mp4: audio a:0 packets identical" "$(ffprobe -v error -select_streams a:0 -show_packets -show_data -show_entries packet=data -of compact "$SRC" | md5sum)" \
    "$(ffprobe -v error -select_streams a:0 -show_packets -show_data -show_entries packet=data -of compact "$TMP/plain.mp4" | md5sum)"

# Stream choice.
expect_rc 0 "--no-audio --no-subtitles" transcode --preset ultrafast -q --no-audio --no-subtitles "$SRC" "$TMP/noaudio.mkv"
same "only video and the attachment left" "video attachment" \
    "$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$TMP/noaudio.mkv" | tr '\n' ' ' | sed 's/ $//')"
expect_rc 0 "--language eng" transcode --preset ultrafast -q --language eng "$SRC" "$TMP/eng.mkv"
same "--language eng keeps the eng audio and subtitles" "audio:eng subtitle:eng" \
    "$(ffprobe -v error -show_entries stream=codec_type:stream_tags=language -of csv=p=0 "$TMP/eng.mkv" | grep -v -e video -e attachment | tr ',\n' ': ' | sed 's/ $//')"

# A cut: frames 10..29 exactly; timestamps shifted so the cut starts at the source's start.
expect_rc 0 "--start-frame 10 --frames 20" transcode --preset ultrafast -q --start-frame 10 --frames 20 "$SRC" "$TMP/cut.mkv"
WANT_CUT=$(echo "$WANT_PTS" | sed -n '11,30p' | awk -v s="$(echo "$WANT_PTS" | sed -n 11p)" -v f="$FIRST" '{print $1 - s + f}')
same "cut: 20 frames, pts shifted by the cut's start" "$WANT_CUT" "$(pts_list "$TMP/cut.mkv")"

expect_rc 0 "--start 0.5 --frames 5" transcode --preset ultrafast -q --start 0.5 --frames 5 "$SRC" "$TMP/cut2.mkv"
# The frame displayed at 0.5 s is the last one whose pts is <= 500 ms.
IDX=$(echo "$WANT_PTS" | awk '$1 <= 500 {n = NR} END {print n}')
WANT_CUT2=$(echo "$WANT_PTS" | sed -n "${IDX},$((IDX + 4))p" | awk -v s="$(echo "$WANT_PTS" | sed -n ${IDX}p)" -v f="$FIRST" '{print $1 - s + f}')
same "--start: the 5 frames from the one displayed at 0.5 s" "$WANT_CUT2" "$(pts_list "$TMP/cut2.mkv")"

# 10-bit HEVC stays 10-bit 4:2:0 with its tags.
( cd "$TMP" && ffmpeg -v error -y -f lavfi -i testsrc2=size=128x72:rate=24:duration=1 -f lavfi -i sine=d=1 \
    -c:v libx265 -preset ultrafast -x265-params log-level=error -pix_fmt yuv420p10le \
    -colorspace bt2020nc -color_primaries bt2020 -color_trc smpte2084 -c:a aac -b:a 32k hevc10.mkv )
# (10-bit libx264 out: libx265 itself leaks a few KiB per encoder, which
# LeakSanitizer would report in the ASan build.)
expect_rc 0 "10-bit HEVC --scale 2 into 10-bit H.264" transcode --scale 2 --codec libx264 --preset ultrafast \
    -q "$TMP/hevc10.mkv" "$TMP/hevc10_x2.mkv"
same "10-bit: layout and colour tags kept" "yuv420p10le,bt2020nc,smpte2084,bt2020" \
    "$(ffprobe -v error -select_streams v:0 -show_entries stream=pix_fmt,color_space,color_primaries,color_transfer -of csv=p=0 "$TMP/hevc10_x2.mkv")"
same "10-bit: every pts" "$(pts_list "$TMP/hevc10.mkv")" "$(pts_list "$TMP/hevc10_x2.mkv")"
same "10-bit: audio packets identical" "$(pkt_hash "$TMP/hevc10.mkv" a:0)" "$(pkt_hash "$TMP/hevc10_x2.mkv" a:0)"

# Flat-patch colour through the filter: RGB24 within 1 level (lossless
# x264), RGB48 into 10-bit within 0.5 of a 10-bit code (ffv1).
( cd "$TMP" && ffmpeg -v error -y -f lavfi -i color=c=0x3080C0:size=64x48:rate=10:duration=0.5 \
    -c:v libx264 -qp 0 -pix_fmt yuv420p -colorspace bt709 -color_range tv flat8.mkv && \
  ffmpeg -v error -y -f lavfi -i color=c=0xC05020:size=64x48:rate=10:duration=0.5 \
    -c:v ffv1 -pix_fmt yuv444p10le -colorspace bt2020nc -color_range tv flat10.mkv )
expect_rc 0 "flat RGB24 through the filter" transcode --filter-cmd "$FT copy 64 48 3" --qp 0 -q "$TMP/flat8.mkv" "$TMP/flat8_out.mkv"
"$KZV" decode "$TMP/flat8.mkv" --frames 1 -o - >"$TMP/a.rgb" 2>/dev/null
"$KZV" decode "$TMP/flat8_out.mkv" --frames 1 -o - >"$TMP/b.rgb" 2>/dev/null
D8=$($PY -c "import numpy as n,sys; a=n.fromfile(sys.argv[1],n.uint8).astype(int); b=n.fromfile(sys.argv[2],n.uint8).astype(int); print(abs(a-b).max() if a.size==b.size and a.size else 99)" "$TMP/a.rgb" "$TMP/b.rgb")
check "flat RGB24: within 1 level (max difference $D8)" [ "$D8" -le 1 ]
expect_rc 0 "flat RGB48 -> 10-bit through the filter" transcode --filter-cmd "$FT copy 64 48 6" --filter-format rgb48 \
    --codec ffv1 --pix-fmt yuv444p10 -q "$TMP/flat10.mkv" "$TMP/flat10_out.mkv"
"$KZV" decode "$TMP/flat10.mkv" --format yuv --frames 1 -o - >"$TMP/a.yuv" 2>/dev/null
"$KZV" decode "$TMP/flat10_out.mkv" --format yuv --frames 1 -o - >"$TMP/b.yuv" 2>/dev/null
D10=$($PY -c "import numpy as n,sys; a=n.fromfile(sys.argv[1],n.uint16).astype(int); b=n.fromfile(sys.argv[2],n.uint16).astype(int); print(abs(a-b).max() if a.size==b.size and a.size else 99)" "$TMP/a.yuv" "$TMP/b.yuv")
check "flat RGB48 -> 10-bit: within 0.5 of a code (max difference $D10 codes)" [ "$D10" -eq 0 ]
same "flat 10-bit: tags kept" "tv,bt2020nc" "$(ffprobe -v error -select_streams v:0 -show_entries stream=color_space,color_range -of csv=p=0 "$TMP/flat10_out.mkv")"

# A FIFO output (as /dev/null, a device) is written directly, as a stream:
# never renamed over (as root that replaced /dev/null with a regular file).
mkfifo "$TMP/pipe.mkv"
cat "$TMP/pipe.mkv" >"$TMP/from_pipe.mkv" &
expect_rc 0 "into a FIFO" transcode --preset ultrafast -q "$SRC" "$TMP/pipe.mkv"
wait
check "the FIFO is still a FIFO" [ -p "$TMP/pipe.mkv" ]
same "into a FIFO: every pts, as in the source" "$WANT_PTS" "$(pts_list "$TMP/from_pipe.mkv")"
check "into a FIFO: no partial file" [ -z "$(ls "$TMP" | grep partial)" ]

finish
