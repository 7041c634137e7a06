# Shared helpers of the transcode tests (tests/encode/*.sh):
#   bash tests/encode/NAME.sh PATH/TO/kzv PATH/TO/filter_test
# Sources are made here with the ffmpeg CLI (tiny: 64x48 .. 128x72, <= 2 s).
set -uo pipefail

KZV=${1:?usage: $0 PATH/TO/kzv PATH/TO/filter_test}
FT=${2:?usage: $0 PATH/TO/kzv PATH/TO/filter_test}
[ -x "$KZV" ] || { echo "FAIL: $KZV is not an executable"; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kzv-enc.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PY=/usr/bin/python3

# Sanitizer reports go to files under $TMP; finish() fails on any (as in
# tests/cli/lib.sh).
for v in ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do
    export "$v=${!v:+${!v}:}log_path=$TMP/sanitizer"
done
export TSAN_OPTIONS="$TSAN_OPTIONS:exitcode=0"

FAILS=0
CHECKS=0
ok()   { CHECKS=$((CHECKS + 1)); echo "ok   $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
same() { # same DESCRIPTION A B
    if [ "$2" == "$3" ]; then ok "$1"; else fail "$1"; echo "    got:  ${3:0:400}"; echo "    want: ${2:0:400}"; fi
}

# run_kzv ARGS…: stdout → $TMP/out, stderr → $TMP/err; sets RC.
run_kzv() {
    "$KZV" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
}
# expect_rc WANT DESCRIPTION ARGS…
expect_rc() {
    local want=$1 desc=$2; shift 2
    run_kzv "$@"
    if [ "$RC" -eq "$want" ]; then ok "$desc (exit $RC)"; else
        fail "$desc: exit $RC, expected $want"; sed 's/^/    stderr: /' "$TMP/err" | head -20; fi
}
# err_says TEXT: the last run's stderr contains TEXT
err_says() { check "stderr says '$1'" grep -q -- "$1" "$TMP/err" || sed 's/^/    stderr: /' "$TMP/err" | head -5; }
# no_output DIR: nothing but what was there before (no partial, no final file)
only_files() { # only_files DIR N
    local n; n=$(ls -A "$1" | wc -l)
    check "$1 holds $2 files (no partial or unfinished output)" [ "$n" -eq "$2" ]
}

pts_list()  { ffprobe -v error -select_streams v:0 -show_entries frame=pts -of csv=p=0 "$1" | grep -o '^[0-9-]*' | grep .; }
pkt_hash()  { ffprobe -v error -select_streams "$2" -show_packets -show_data \
                -show_entries packet=pts,dts,data -of compact "$1" 2>/dev/null | md5sum | cut -c1-32; }
streams()   { ffprobe -v error -show_entries stream=codec_type:stream_tags=language,title,filename,mimetype:stream_disposition=default,forced \
                -of compact "$1" | grep -v codec_type=video; }
chapters()  { ffprobe -v error -show_entries chapter=start_time,end_time:chapter_tags=title -of compact "$1"; }
colour()    { ffprobe -v error -select_streams v:0 -show_entries stream=color_space,color_range,color_primaries,color_transfer \
                -of csv=p=0 "$1"; }

finish() {
    if ls "$TMP"/sanitizer* >/dev/null 2>&1; then
        fail "sanitizer reports"; cat "$TMP"/sanitizer* | head -60
    fi
    echo "$CHECKS checks, $FAILS failed"
    [ "$FAILS" -eq 0 ]
}

# The rich source: H.264 with B-frames and open GOPs, VFR (pts 23, 70, 117, 142
# … ms: a non-zero start and uneven steps), BT.709 tags, two audio tracks
# (jpn default, eng with a title), ASS subtitles (eng, forced), a font
# attachment, chapters and global metadata.
make_rich_source() {
    local out=$1
    cat >"$TMP/sub.ass" <<'ASS'
[Script Info]
ScriptType: v4.00+
PlayResX: 64
PlayResY: 48

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,TestFont,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.10,0:00:00.90,Default,,0,0,0,,Hello
Dialogue: 0,0:00:01.00,0:00:01.80,Default,,0,0,0,,World
ASS
    printf ';FFMETADATA1\ntitle=kzv test\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=One\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=1000\nEND=2000\ntitle=Two\n' >"$TMP/meta.txt"
    head -c 3000 /dev/zero | tr '\0' 'F' >"$TMP/TestFont.ttf"
    ( cd "$TMP" && ffmpeg -v error -y \
        -f lavfi -i testsrc2=size=64x48:rate=25:duration=2 \
        -f lavfi -i sine=f=440:d=2 -f lavfi -i sine=f=880:d=2 -i sub.ass -i meta.txt \
        -attach TestFont.ttf -metadata:s:t:0 mimetype=application/x-truetype-font \
        -map 0:v -map 1:a -map 2:a -map 3:s -map_metadata 4 -map_chapters 4 \
        -vf "settb=1/1000,setpts='(23+N*40+7*mod(N,3))/1000/TB'" -vsync passthrough -enc_time_base:v 1/1000 \
        -c:v libx264 -preset ultrafast -bf 3 -g 12 -x264-params open-gop=1 -pix_fmt yuv420p \
        -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv \
        -c:a aac -b:a 32k -c:s ass \
        -metadata:s:a:0 language=jpn -metadata:s:a:1 language=eng -metadata:s:a:1 title=English \
        -disposition:a:0 default -disposition:a:1 0 \
        -metadata:s:s:0 language=eng -disposition:s:0 forced \
        "$out" )
}
