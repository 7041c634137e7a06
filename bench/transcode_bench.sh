#!/usr/bin/env bash
# The way back, timed: bench/transcode_bench.sh BUILD_DIR [RUNS] [FILE]
#
# Upscale FILE 2x (lanczos) and encode with libx264 (veryfast, crf 20),
# audio and subtitles copied, three ways, RUNS times each (default 1, round
# robin):
#   kzv      kzv transcode FILE OUT --scale 2 --codec libx264 …
#   ffmpeg   ffmpeg -i FILE -vf scale=iw*2:ih*2:flags=lanczos+accurate_rnd+full_chroma_int
#            -c:v libx264 (same settings) -c:a copy -c:s copy OUT   (the same scaler flags)
#   pipe     kzv decode FILE --format yuv -o - | ffmpeg -f rawvideo … -i - -i FILE
#            -map 0:v -map 1:a? (same scale and encoder)   (the route users take today)
# and reports median wall time, fps, median CPU seconds (user + sys, all
# processes), peak RSS (the largest process; /usr/bin/time), and each
# route's time over kzv's (above 1: kzv is faster). On a loaded machine the
# CPU column is the steadier one. FILE defaults to a 2 s 640x360
# H.264 clip with audio made here. Output: a table on stdout and
# build/bench/transcode.md. Never part of `make test`.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:?usage: bench/transcode_bench.sh BUILD_DIR [RUNS] [FILE]}
runs=${2:-1}
build=$(cd "$build" && pwd) || exit 2
kzv=$build/tools/kzv
out=${OUT_DIR:-$root/build/bench}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[[ -x /usr/bin/time ]] || { echo "transcode_bench.sh: /usr/bin/time is required" >&2; exit 1; }

src=${3:-}
if [[ -z "$src" ]]; then
    src=$tmp/src.mkv
    ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=24:duration=4 -f lavfi -i sine=d=4 \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 64k "$src" || exit 1
fi
read -r w h fps < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height,avg_frame_rate \
    -of csv=p=0 "$src" | tr ',' ' ')
frames=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$src")
enc=(-c:v libx264 -preset veryfast -crf 20)
flags=lanczos+accurate_rnd+full_chroma_int

run_kzv()    { "$kzv" transcode "$src" "$tmp/kzv.mkv" --scale 2 --codec libx264 --preset veryfast --crf 20 -q; }
run_ffmpeg() { ffmpeg -v error -y -i "$src" -vf "scale=iw*2:ih*2:flags=$flags" "${enc[@]}" -c:a copy -c:s copy \
                   "$tmp/ff.mkv"; }
run_pipe()   { "$kzv" decode "$src" --format yuv -o - 2>/dev/null | ffmpeg -v error -y -f rawvideo -pix_fmt yuv420p \
                   -s "${w}x${h}" -r "$fps" -i - -i "$src" -map 0:v -map 1:a? -vf "scale=iw*2:ih*2:flags=$flags" \
                   "${enc[@]}" -c:a copy "$tmp/pipe.mkv"; }
export -f run_kzv run_ffmpeg run_pipe
export kzv src tmp w h fps flags
enc_s="${enc[*]}"

declare -A wall cpu rss
for name in kzv ffmpeg pipe; do wall[$name]=""; cpu[$name]=""; done
for ((r = 0; r < runs; r++)); do
    for name in kzv ffmpeg pipe; do
        /usr/bin/time -f '%e %U %S %M' -o "$tmp/t" bash -c "enc=($enc_s); run_$name" || { echo "$name failed" >&2; exit 1; }
        read -r e u s m <"$tmp/t"
        wall[$name]+="$e "
        cpu[$name]+="$(echo "$u + $s" | bc) "
        [[ -z "${rss[$name]:-}" || $m -gt ${rss[$name]} ]] && rss[$name]=$m
    done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
{
    echo "transcode --scale 2, libx264 veryfast crf 20, $(basename "$src") ${w}x${h} -> $((2 * w))x$((2 * h)), $frames frames, $runs run(s), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| route | wall s | fps | CPU s | peak RSS MiB | wall / kzv's | CPU / kzv's |"
    echo "|---|---|---|---|---|---|---|"
    kw=$(median "${wall[kzv]}")
    kc=$(median "${cpu[kzv]}")
    for name in kzv ffmpeg pipe; do
        m=$(median "${wall[$name]}")
        c=$(median "${cpu[$name]}")
        printf '| %s | %.2f | %.1f | %.2f | %.1f | %.2fx | %.2fx |\n' "$name" "$m" "$(echo "$frames / $m" | bc -l)" "$c" \
            "$(echo "${rss[$name]} / 1024" | bc -l)" "$(echo "$m / $kw" | bc -l)" "$(echo "$c / $kc" | bc -l)"
    done
} | tee "$out/transcode.md"
