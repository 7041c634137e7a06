# kzv transcode's bad cases: a clear error, the documented exit code, and no
# file that looks finished (no partial either).
. "$(dirname "$0")/lib.sh"

( cd "$TMP" && ffmpeg -v error -y -f lavfi -i testsrc2=size=64x48:rate=25:duration=1 -f lavfi -i sine=d=1 \
    -c:v libx264 -preset ultrafast -c:a aac -b:a 32k src.mkv )
mkdir -p "$TMP/o"
SRC=$TMP/src.mkv
O=$TMP/o

expect_rc 2 "no operands" transcode
expect_rc 2 "bad --scale" transcode --scale x "$SRC" "$O/x.mkv"
expect_rc 2 "--scale with --filter-cmd" transcode --scale 2 --filter-cmd cat "$SRC" "$O/x.mkv"
expect_rc 2 "--frames past INT64_MAX" transcode --frames 99999999999999999999 "$SRC" "$O/x.mkv"
err_says "99999999999999999999"
expect_rc 2 "--filter-size with a space" transcode --filter-cmd cat --filter-size "64x 48" "$SRC" "$O/x.mkv"
expect_rc 2 "three operands" transcode "$SRC" "$O/x.mkv" "$O/y.mkv"
only_files "$O" 0
expect_rc 3 "missing input" transcode "$TMP/nope.mkv" "$O/x.mkv"
only_files "$O" 0
expect_rc 4 "unwritable output" transcode "$SRC" "$TMP/no/such/dir/x.mkv"
err_says "cannot create"
expect_rc 4 "unknown codec" transcode --codec nosuchcodec "$SRC" "$O/x.mkv"
err_says "nosuchcodec"
expect_rc 4 "unknown encoder option" transcode -x nosuchopt=1 "$SRC" "$O/x.mkv"
err_says "nosuchopt"
expect_rc 4 "encoder option with a bad value" transcode -x preset=nosuchpreset "$SRC" "$O/x.mkv"
only_files "$O" 0

expect_rc 4 "filter exits early" transcode --filter-cmd "$FT exit 64 48 3 5" "$SRC" "$O/x.mkv"
err_says "exited with status 3"
only_files "$O" 0
expect_rc 4 "filter writes a short frame" transcode --filter-cmd "$FT short 64 48 3 4" "$SRC" "$O/x.mkv"
err_says "after"
only_files "$O" 0
expect_rc 4 "filter writes the wrong size" transcode --filter-cmd "$FT copy 64 48 3" --filter-size 128x96 --filter-timeout 1 "$SRC" "$O/x.mkv"
only_files "$O" 0
# Given up by the timeout, which the message says (a hang would be the
# test's own timeout); how long it took is no test's business on a busy machine.
# `sh -c` forks the filter: killing the shell alone used to leave the
# stalled filter sleeping forever as an orphan; its whole group goes now.
expect_rc 4 "filter stalls" transcode --filter-cmd "FT_PIDFILE=$TMP/stall.pid $FT stall 64 48 3 3" \
    --filter-timeout 1 "$SRC" "$O/x.mkv"
err_says "stalled"
only_files "$O" 0
gone() {  # gone PID: no such process, or only a zombie left for init to reap
    local i
    [ "$1" -gt 0 ] || return 1   # the filter never wrote its pid
    for i in $(seq 50); do
        [ -e "/proc/$1" ] || return 0
        [ "$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null   # not ours to leave behind either way
    return 1
}
check "the stalled filter process ended with kzv (not left running)" gone "$(cat "$TMP/stall.pid" 2>/dev/null || echo 0)"
expect_rc 4 "filter writes an extra frame" transcode --filter-cmd "$FT extra 64 48 3" "$SRC" "$O/x.mkv"
err_says "more than one frame"
only_files "$O" 0
expect_rc 4 "filter command not found" transcode --filter-cmd "/no/such/filter" "$SRC" "$O/x.mkv"
only_files "$O" 0

# SIGINT and SIGTERM stop cleanly: exit 5, where it stopped, no output.
for sig in INT TERM; do
    "$KZV" transcode --filter-cmd "$FT slow 64 48 3 100" "$SRC" "$O/x.mkv" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    sleep 1.5
    kill -$sig $pid
    wait $pid
    RC=$?
    check "SIG$sig: exit 5 (got $RC)" [ "$RC" -eq 5 ]
    err_says "interrupted by SIG$sig after"
    only_files "$O" 0
done

finish
