#!/usr/bin/env bash
# kzv demo: probe, list, validate a clip, then write a contact sheet and a few
# PNG frames.  Usage: scripts/demo.sh KZV FILE OUTDIR
#   (make demo runs: scripts/demo.sh build/tools/kzv samples/kizuna-sample.mp4 build/demo)
set -uo pipefail

if [ $# -ne 3 ]; then
    echo "usage: $0 KZV FILE OUTDIR" >&2
    exit 2
fi
kzv=$1 file=$2 out=$3

if [ ! -x "$kzv" ]; then
    echo "demo: $kzv is not built (run 'make build')" >&2
    exit 1
fi
if [ ! -f "$file" ]; then
    echo "demo: no such file: $file (try: make demo FILE=your-video.mkv)" >&2
    exit 1
fi
mkdir -p "$out" || exit 1

rule() { printf '\n== %s ==\n' "$*"; }

echo "kzv demo — $("$kzv" --version)"
echo "input: $file"

rule "kzv probe $file --count"
"$kzv" probe "$file" --count || exit $?

rule "kzv frames $file  (first 8 and last 2 lines)"
"$kzv" frames "$file" >"$out/frames.txt"
rc=$?
head -n 9 "$out/frames.txt"                  # the header line + 8 frames
total=$(grep -vc '^#' "$out/frames.txt")
if [ "$total" -gt 10 ]; then
    echo "     … ($((total - 10)) more frames) …"
    grep -v '^#' "$out/frames.txt" | tail -n 2
elif [ "$total" -gt 8 ]; then
    grep -v '^#' "$out/frames.txt" | tail -n $((total - 8))
fi
tail -n 1 "$out/frames.txt"                   # the summary line
[ "$rc" -eq 0 ] || exit "$rc"

rule "kzv validate $file"
"$kzv" validate "$file"
vrc=$?
[ "$vrc" -le 1 ] || exit "$vrc"

rule "kzv sheet $file -o $out/sheet.png"
"$kzv" sheet "$file" -o "$out/sheet.png" --cols 4 --rows 4 --width 1280 || exit $?
echo "contact sheet written"

rule "kzv decode $file -o $out/frames --frames 4"
rm -rf "$out/frames"
"$kzv" decode "$file" -o "$out/frames" --frames 4 || exit $?
ls "$out/frames" | sed 's/^/  /'

rule "kzv transcode $file $out/upscaled-2x.mkv --scale 2"
# The way back: every frame upscaled 2x (lanczos), re-encoded, the audio
# (and any subtitles, fonts, chapters) copied packet for packet.
"$kzv" transcode "$file" "$out/upscaled-2x.mkv" --scale 2 --preset veryfast --crf 18 -q || exit $?
if command -v ffprobe >/dev/null 2>&1; then
    ffprobe -v error -show_entries stream=index,codec_type,codec_name,width,height -of compact=p=0:nk=0 \
        "$out/upscaled-2x.mkv" | sed 's/^/  /'
fi

rule "done"
echo "Files are in $out/:"
echo "  upscaled-2x.mkv  the clip upscaled 2x, its audio kept (kzv transcode --scale 2)"
echo "  sheet.png      contact sheet (16 evenly spaced frames)"
echo "  frames/        the first 4 frames as PNG"
echo "  frames.txt     the full frame list (kzv frames)"
if [ "$vrc" -ne 0 ]; then
    echo "Note: validation reported a failed check (see above)."
fi
exit 0
