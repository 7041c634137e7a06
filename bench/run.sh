#!/usr/bin/env bash
# Whole-process benchmark: bench/run.sh BUILD_DIR [RUNS]
#
# For every file of the corpus (bench/make_corpus.sh, cached in
# build/bench-corpus) it times, RUNS times each (default 3, commands
# alternating round-robin so that drifting machine load hits all alike):
#   kzv          BUILD_DIR/tools/kzv decode FILE          (decode + RGB24, discarded)
#   ff-rgb24     ffmpeg -threads 0 -i FILE -pix_fmt rgb24 -f null -
#   ff-decode    ffmpeg -threads 0 -i FILE -f null -
#   pyav         python3 + PyAV: f.to_ndarray(format='rgb24') for every frame
#   pyav-auto    the same with stream.thread_type = 'AUTO'
# and reports median wall time, fps, CPU seconds (user+sys), peak RSS
# (/usr/bin/time), and kzv's ratios to the others. Anchors that are not
# installed are skipped (and said so). Output: a table on stdout,
# build/bench/results.csv and build/bench/results.md (override with OUT_DIR).
# Never part of `make test`.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:?usage: bench/run.sh BUILD_DIR [RUNS]}
runs=${2:-3}
build=$(cd "$build" && pwd) || exit 2
kzv=$build/tools/kzv
corpus=${CORPUS_DIR:-$root/build/bench-corpus}
out=${OUT_DIR:-$root/build/bench}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[[ -x /usr/bin/time ]] || { echo "run.sh: /usr/bin/time is required (apt-get install time)" >&2; exit 1; }
"$here/make_corpus.sh" "$corpus" || { echo "run.sh: corpus generation failed" >&2; exit 1; }

names=() cmds=()
add() { names+=("$1"); cmds+=("$2"); }
if [[ -x $kzv ]]; then add kzv "\"$kzv\" decode \"\$F\""; else echo "run.sh: SKIP kzv ($kzv not built)"; fi
if command -v ffmpeg >/dev/null; then
    add ff-rgb24 "ffmpeg -nostdin -v error -threads 0 -i \"\$F\" -an -pix_fmt rgb24 -f null -"
    add ff-decode "ffmpeg -nostdin -v error -threads 0 -i \"\$F\" -an -f null -"
else
    echo "run.sh: SKIP ffmpeg anchors (ffmpeg not installed)"
fi
py=""
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import av' 2>/dev/null; then py=$(command -v "$p"); break; fi
done
if [[ -n $py ]]; then
    add pyav "\"$py\" \"$here/pyav_decode.py\" \"\$F\""
    add pyav-auto "\"$py\" \"$here/pyav_decode.py\" \"\$F\" auto"
else
    echo "run.sh: SKIP pyav, pyav-auto (python3-av not installed: apt-get install python3-av)"
fi
((${#names[@]})) || { echo "run.sh: nothing to run" >&2; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

csv=$out/results.csv md=$out/results.md
echo "file,frames,tool,runs,wall_s,fps,cpu_s,peak_rss_mb,kzv_speedup,status" >"$csv"
{
    echo "# kzv whole-process benchmark"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(ffmpeg -version 2>/dev/null | head -1 | cut -d' ' -f1-3), median of $runs runs"
    echo
    echo "| file | frames | tool | wall s | fps | CPU s | peak RSS MB | kzv fps / tool fps |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|"
} >"$md"
printf '%-18s %6s %-10s %8s %8s %8s %8s %8s\n' file frames tool wall_s fps cpu_s rss_mb kzv/x

shopt -s nullglob
files=("$corpus"/*.mp4 "$corpus"/*.mkv "$corpus"/*.webm)
for F in "${files[@]}"; do
    base=$(basename "$F")
    frames=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets \
             -of csv=p=0 "$F" 2>/dev/null | head -1)
    [[ $frames =~ ^[0-9]+$ ]] || frames=0
    for ((r = 0; r < runs; r++)); do
        for i in "${!names[@]}"; do
            export F
            if /usr/bin/time -f '%e %U %S %M' -o "$tmp/t" bash -c "${cmds[$i]}" >/dev/null 2>"$tmp/err"; then
                cat "$tmp/t" >>"$tmp/res.$i"
            else
                echo "fail" >>"$tmp/res.$i"
                echo "run.sh: ${names[$i]} failed on $base: $(tail -2 "$tmp/err" | tr '\n' ' ')" >&2
            fi
        done
    done
    declare -A fps=()
    for i in "${!names[@]}"; do
        ok=$(grep -v fail "$tmp/res.$i" || true)
        if [[ -z $ok ]]; then
            wall[$i]=nan; fps[$i]=0; cpu[$i]=nan; rss[$i]=nan; status[$i]=failed
        else
            wall[$i]=$(awk '{print $1}' <<<"$ok" | median)
            cpu[$i]=$(awk '{print $2 + $3}' <<<"$ok" | median)
            rss[$i]=$(awk '{print $4 / 1024}' <<<"$ok" | median)
            fps[$i]=$(awk -v n="$frames" -v w="${wall[$i]}" 'BEGIN {printf "%.1f", (w > 0 ? n / w : 0)}')
            status[$i]=ok
            grep -q fail "$tmp/res.$i" && status[$i]=some-failed
        fi
        rm -f "$tmp/res.$i"
    done
    kfps=${fps[0]:-0}
    [[ ${names[0]} == kzv ]] || kfps=0
    for i in "${!names[@]}"; do
        ratio=$(awk -v a="$kfps" -v b="${fps[$i]}" 'BEGIN {if (a > 0 && b > 0) printf "%.3f", a / b; else print "-"}')
        printf '%-18s %6s %-10s %8s %8s %8s %8.0f %8s %s\n' "$base" "$frames" "${names[$i]}" "${wall[$i]}" \
            "${fps[$i]}" "${cpu[$i]}" "${rss[$i]}" "$ratio" "$([[ ${status[$i]} == ok ]] || echo "${status[$i]}")"
        echo "$base,$frames,${names[$i]},$runs,${wall[$i]},${fps[$i]},${cpu[$i]},${rss[$i]},$ratio,${status[$i]}" >>"$csv"
        echo "| $base | $frames | ${names[$i]} | ${wall[$i]} | ${fps[$i]} | ${cpu[$i]} | ${rss[$i]} | $ratio |" >>"$md"
    done
    unset fps
done
# Time to first frame: the whole process until the first decoded, converted
# frame (open, probe, first decode), medians of the same number of runs.
ttff_csv=$out/ttff.csv
echo "file,tool,ttff_s" >"$ttff_csv"
{ echo; echo "## Time to first frame (whole process, median s)"; echo; echo "| file | tool | s |"; echo "|---|---|---:|"; } >>"$md"
echo
printf '%-18s %-10s %8s\n' file tool ttff_s
for F in "${files[@]}"; do
    base=$(basename "$F")
    export F
    for spec in "kzv|\"$kzv\" decode \"\$F\" --frames 1" \
                "ff-rgb24|ffmpeg -nostdin -v error -threads 0 -i \"\$F\" -an -frames:v 1 -pix_fmt rgb24 -f null -"; do
        name=${spec%%|*} cmd=${spec#*|}
        [[ $name == kzv && ! -x $kzv ]] && continue
        for ((r = 0; r < runs; r++)); do
            /usr/bin/time -f '%e' -o "$tmp/t" bash -c "$cmd" >/dev/null 2>&1 && cat "$tmp/t" >>"$tmp/ttff"
        done
        t=$(median <"$tmp/ttff"); rm -f "$tmp/ttff"
        printf '%-18s %-10s %8s\n' "$base" "$name" "$t"
        echo "$base,$name,$t" >>"$ttff_csv"
        echo "| $base | $name | $t |" >>"$md"
    done
done

# A bar chart of fps per file and tool (python3-matplotlib, installed by
# `make bench`; skipped with a note when missing).
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
    /usr/bin/python3 - "$csv" "$out/results.png" <<'PY'
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["status"] != "failed"]
files = sorted({r["file"] for r in rows}); tools = []
for r in rows:
    if r["tool"] not in tools: tools.append(r["tool"])
w = 0.8 / max(1, len(tools))
fig, ax = plt.subplots(figsize=(11, 5))
for k, t in enumerate(tools):
    ys = [next((float(r["fps"]) for r in rows if r["file"] == f and r["tool"] == t), 0) for f in files]
    ax.bar([i + k * w for i in range(len(files))], ys, w, label=t)
ax.set_xticks([i + w * (len(tools) - 1) / 2 for i in range(len(files))]); ax.set_xticklabels(files, rotation=15)
ax.set_ylabel("frames per second (whole process, median)"); ax.legend(); ax.set_title("kzv vs anchors, RGB24")
fig.tight_layout(); fig.savefig(sys.argv[2], dpi=100)
PY
    echo "run.sh: wrote $out/results.png"
else
    echo "run.sh: SKIP chart (python3-matplotlib not installed)"
fi
echo
echo "run.sh: wrote $csv, $ttff_csv and $md"
