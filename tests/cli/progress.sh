#!/usr/bin/env bash
# No progress line (carriage returns, escape sequences) when stderr is not a
# terminal; stdout stays clean data.
. "$(dirname "$0")/lib.sh"
f=$(fixture h264.mp4)
no_ctl() { ! grep -q $'[\r\033]' "$1"; }

quiet_on_pipes() {
    "$KZV" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    check "kzv $1 ${*:3}: no progress output on a pipe" no_ctl "$TMP/err"
    check "kzv $1 ${*:3}: no control characters on stdout" no_ctl "$TMP/out"
}
quiet_on_pipes decode "$f"
quiet_on_pipes decode "$f" -o "$TMP/p.y4m"
quiet_on_pipes decode "$f" -o "$TMP/png"
quiet_on_pipes frames "$f"
quiet_on_pipes frames "$f" --json
quiet_on_pipes validate "$f"
quiet_on_pipes sheet "$f" -o "$TMP/s.png"
quiet_on_pipes probe "$f" --count
"$KZV" decode "$f" -o - -q 2>"$TMP/err" | cat >/dev/null
check "decode -q -o - | cat: stderr empty" test ! -s "$TMP/err"
"$KZV" decode "$f" -o "$TMP/q.y4m" -q 2>"$TMP/err"
check "decode -q -o FILE with stderr on a pipe: stderr empty" test ! -s "$TMP/err"
"$KZV" decode "$f" -o "$TMP/q2.y4m" 2>"$TMP/err"
check "decode -o FILE with stderr on a pipe: one summary line" test "$(wc -l <"$TMP/err")" = 1
check "the summary names frames, time, fps and the output" \
    grep -q "^50 frames (yuv420p 320x240) in [0-9.]* s, [0-9.]* fps -> $TMP/q2.y4m\$" "$TMP/err"

finish
