# Shared by tests/play/*.sh: tests/cli/lib.sh plus JSON field access.
. "$(dirname "$0")/../cli/lib.sh"

# ASan builds: keep Mesa's DRI driver loaded for the whole run, as
# tests/gl/gl_test_util.c does with RTLD_NODELETE. When the last EGL display
# is terminated Mesa dlclose()s swrast_dri.so, and what the driver keeps in
# its statics is then reported by LeakSanitizer from "<unknown module>"
# (nothing to suppress by name). Preloaded (after the ASan runtime, which must
# come first), the driver is never unloaded. Only kzv's runs get the preload
# (through a wrapper that execs it, so its pid is kzv's); kzv is unchanged.
if asan=$(ldd "$KZV" 2>/dev/null | awk '/libasan\.so/ {print $3; exit}') && [ -n "$asan" ]; then
    for d in /usr/lib/x86_64-linux-gnu/dri /usr/lib64/dri /usr/lib/dri; do
        if [ -f "$d/swrast_dri.so" ]; then
            printf '#!/bin/sh\nLD_PRELOAD="%s %s${LD_PRELOAD:+ $LD_PRELOAD}" exec "%s" "$@"\n' \
                "$asan" "$d/swrast_dri.so${KZV_PLAY_PRELOAD:+ $KZV_PLAY_PRELOAD}" "$(readlink -f "$KZV")" >"$TMP/kzv"
            chmod +x "$TMP/kzv"
            KZV=$TMP/kzv
            break
        fi
    done
fi

# jget FIELD: a field of the JSON line in $TMP/out (empty when missing)
jget() {
    python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); v=d.get(sys.argv[2]); print("" if v is None else v)' "$TMP/out" "$1" 2>/dev/null
}

# play_json_ok DESC: stdout is exactly one JSON line with the documented keys
play_json_ok() {
    python3 - "$TMP/out" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, "%d lines on stdout" % len(lines)
d = json.loads(lines[0])
for k in ("decoded", "presented", "dropped", "uploaded", "released", "mismatches",
          "late_ms_mean", "late_ms_max"):
    assert k in d and isinstance(d[k], (int, float)), k
PY
}

# accounting DESC: presented + dropped + discarded == decoded, uploaded == released,
# mismatches == 0, decoded > 0
accounting() {
    local dec pre dro dis up rel mis
    dec=$(jget decoded); pre=$(jget presented); dro=$(jget dropped); dis=$(jget discarded)
    up=$(jget uploaded); rel=$(jget released); mis=$(jget mismatches)
    check "$1: JSON line" play_json_ok
    check "$1: decoded ($dec) > 0" test "${dec:-0}" -gt 0
    check "$1: presented ($pre) + dropped ($dro) + discarded ($dis) == decoded ($dec)" \
        test $((pre + dro + dis)) -eq "$dec"
    check "$1: uploaded ($up) == released ($rel)" test "$up" -eq "$rel"
    check "$1: mismatches == 0 ($mis)" test "$mis" -eq 0
}

# start_xvfb [TOOL…]: a 1920x1080 virtual X server for this script (DISPLAY
# exported, stopped at exit); TOOLs are extra commands the test needs.
# Without Xvfb or a TOOL the test fails with the package to install.
start_xvfb() {
    local p
    for p in Xvfb "$@"; do
        command -v "$p" >/dev/null || { fail "$p not installed (scripts/deps.sh test installs it)"; finish; }
    done
    Xvfb -displayfd 5 -screen 0 1920x1080x24 -nolisten tcp 5>"$TMP/dpy" >"$TMP/xvfb.log" 2>&1 &
    XPID=$!
    for _ in $(seq 100); do [ -s "$TMP/dpy" ] && break; sleep 0.1; done
    DPY=:$(cat "$TMP/dpy")
    [ "$DPY" != ":" ] || { fail "Xvfb did not start"; cat "$TMP/xvfb.log"; finish; }
    export DISPLAY=$DPY
    trap 'kill $XPID 2>/dev/null; wait $XPID 2>/dev/null; rm -rf "$TMP"' EXIT
    ok "Xvfb on $DISPLAY"
}

# same_picture A.png B.png TOL [WxH]: same size (WxH when given), every
# RGB24 sample within TOL levels (tests/media/same_picture.py).
same_picture() { /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/../media/same_picture.py" "$@"; }
