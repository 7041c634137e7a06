#!/usr/bin/env bash
# kzv play in real time (no --fast): frames are presented at their
# timestamps, so a run lasts at least the clip's span (last pts - first pts)
# divided by the speed. Lower bounds only: nothing here asserts speed.
. "$(dirname "$0")/common.sh"

clip="$TMP/clip60.mp4"
# 2 s at 60 fps (120 frames); 640x360 keeps the test cheap on a 2-core machine
ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=60:duration=2 -c:v libx264 \
    -preset ultrafast -pix_fmt yuv420p "$clip" || { fail "ffmpeg could not make the clip"; finish; }
span=$(python3 -c 'print(119/60)')

# span_of FILE: last pts - first pts of the video stream, in seconds
span_of() {
    ffprobe -v error -select_streams v:0 -show_entries frame=pts_time -of csv=p=0 "$1" |
        python3 -c 'import sys; t=[float(l.split(",")[0]) for l in sys.stdin if l.strip() and l.strip()!="N/A"]; print(max(t)-min(t))'
}

# timed DESC WANT_MIN ARGS…: run, check exit 0, wall time >= WANT_MIN (both
# measured outside and reported as wall_s), late_ms fields present and sane
timed() {
    local desc=$1 want=$2; shift 2
    local t0 t1
    t0=$(date +%s.%N)
    run_kzv "$@"
    t1=$(date +%s.%N)
    if [ "$RC" -eq 0 ]; then ok "$desc (exit 0)"; else fail "$desc: exit $RC"; sed 's/^/    /' "$TMP/err" | head; fi
    accounting "$desc"
    local wall; wall=$(python3 -c "print($t1 - $t0)")
    check "$desc: took ${wall}s >= ${want}s" python3 -c "import sys; sys.exit(0 if $wall >= $want else 1)"
    check "$desc: wall_s $(jget wall_s) >= ${want}s" python3 -c "import sys; sys.exit(0 if $(jget wall_s) >= $want else 1)"
    check "$desc: 0 <= late_ms_mean ($(jget late_ms_mean)) <= late_ms_max ($(jget late_ms_max))" \
        python3 -c "import sys; m=$(jget late_ms_mean); x=$(jget late_ms_max); sys.exit(0 if 0 <= m <= x else 1)"
    check "$desc: something was presented" test "$(jget presented)" -gt 0
    echo "    $(cat "$TMP/out")"
}

timed "60 fps memory" "$span" play "$clip" --headless --uploader memory
timed "60 fps gl yuv" "$span" play "$clip" --headless --uploader gl
timed "60 fps gl rgb, block queue" "$span" play "$clip" --headless --uploader gl --gl-path rgb --policy block
timed "60 fps --speed 2" "$(python3 -c "print($span / 2)")" play "$clip" --headless --uploader memory --speed 2
timed "60 fps --duration 1" 0.98 play "$clip" --headless --uploader memory --duration 1
check "--duration 1: 60 frames decoded" test "$(jget decoded)" -eq 60

# variable frame rate: the run follows the timestamps, not 1/fps
vfr=$(fixture vfr.mkv)
vspan=$(span_of "$vfr")
timed "vfr.mkv (span ${vspan}s)" "$vspan" play "$vfr" --headless --uploader memory

# --fast does not wait: no clock, no lateness
expect_rc 0 "--fast" play "$clip" --headless --uploader memory --fast
check "--fast: late_ms_max is 0" python3 -c "import sys; sys.exit(0 if $(jget late_ms_max) == 0 else 1)"
finish
