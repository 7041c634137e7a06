# Shared helpers of the CLI tests; sourced by every tests/cli/*.sh.
# Usage of a test: bash tests/cli/NAME.sh PATH/TO/kzv   (KZV_FIXTURES set)
set -uo pipefail

KZV=${1:?usage: $0 PATH/TO/kzv}
[ -x "$KZV" ] || { echo "FAIL: $KZV is not an executable"; exit 1; }
FX=${KZV_FIXTURES:-}
if [ -z "$FX" ] || [ ! -d "$FX" ]; then
    echo "FAIL: KZV_FIXTURES is not set to a directory (run tests/media/make_fixtures.sh DIR)"
    exit 1
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kzv-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Sanitizer builds (make test runs the suite under ASan+UBSan and TSan): send
# every report to files under $TMP; finish() fails the test when there is one,
# so a leak or UB in a run whose exit code is not checked still counts.
# TSan's and ASan's exit codes (66, 1 after a report) are turned off so that
# exit-code checks see kzv's own status; the reports are judged in finish().
for v in ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do
    export "$v=${!v:+${!v}:}log_path=$TMP/sanitizer"
done
export TSAN_OPTIONS="$TSAN_OPTIONS:exitcode=0"
# ASan's likewise: a leak report at exit would turn kzv's status into 1, and
# finish() judges every report (and lets only unloaded-code leaks pass).
export ASAN_OPTIONS="$ASAN_OPTIONS:exitcode=0"

FAILS=0
CHECKS=0
ok()   { CHECKS=$((CHECKS + 1)); echo "ok   $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL $*"; }
# check DESCRIPTION CONDITION-COMMAND…
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }

# fixture NAME: path of a fixture; fails the test loudly when it is missing.
fixture() {
    local p="$FX/$1"
    if [ ! -f "$p" ]; then
        echo "FAIL: fixture $1 missing in $FX" >&2
        exit 1
    fi
    printf '%s\n' "$p"
}

# run_kzv ARGS…: run kzv with stdout → $TMP/out, stderr → $TMP/err; sets RC.
run_kzv() {
    "$KZV" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
}

# expect_rc WANT DESCRIPTION ARGS…
expect_rc() {
    local want=$1 desc=$2; shift 2
    run_kzv "$@"
    if [ "$RC" -eq "$want" ]; then
        ok "$desc (exit $RC)"
    else
        fail "$desc: exit $RC, expected $want"
        sed 's/^/    stderr: /' "$TMP/err" | head -20
    fi
}

# json_valid FILE [--lines]: every line (or the whole file) parses as JSON
# with finite numbers only.
json_valid() {
    python3 - "$@" <<'PY'
import json, sys
def bad_const(c):
    raise ValueError("non-finite number " + c)
text = open(sys.argv[1], encoding="utf-8").read()
docs = text.splitlines() if len(sys.argv) > 2 else [text]
if not docs:
    sys.exit("empty")
for d in docs:
    json.loads(d, parse_constant=bad_const)
PY
}

# ffprobe_field FILE ENTRY: one stream field of the first video stream.
ffprobe_stream() {
    ffprobe -v error -select_streams v:0 -show_entries "stream=$2" -of default=nw=1:nk=1 "$1" \
        | head -1
}

finish() {
    local r
    for r in "$TMP"/sanitizer*; do
        [ -e "$r" ] || continue
        # TSan cannot see the synchronisation inside the uninstrumented
        # FFmpeg libraries (atomics in libavutil/libavcodec), so it reports
        # races whose access lies in them; a TSan report counts here only
        # when its summary points into kzv's own code.
        if grep -q 'ThreadSanitizer' "$r" &&
           ! grep -E '^SUMMARY: ThreadSanitizer' "$r" | grep -qv -E '\(/(usr/)?lib/'; then
            continue
        fi
        # A leak report in which no allocation frame past the allocator names
        # a function is code that was unloaded before exit: Mesa's llvmpipe
        # (JIT code, dlclose()d driver parts) reallocs 128 + 2x56 bytes so
        # under ASan, timing-dependent (tests/play/meson.build). Its frames
        # read "(<unknown module>)", or an offset into whatever library was
        # later mapped at that address ("(libedit.so+0x3dd3)"). kzv's own
        # code is never unloaded and always symbolised ("in kzv_…"), so a
        # leak with any named frame still fails.
        if grep -q 'ERROR: LeakSanitizer' "$r" && ! grep -q 'ERROR: AddressSanitizer' "$r" &&
           ! grep -E '^ +#[1-9][0-9]* ' "$r" | grep -q ' in '; then
            echo "note: LeakSanitizer report from unloaded code only (no named frame), not counted ($(basename "$r"))"
            continue
        fi
        fail "sanitizer report from a kzv run ($(basename "$r")):"
        sed 's/^/    /' "$r" | head -60
    done
    echo "$CHECKS checks, $FAILS failed"
    [ "$FAILS" -eq 0 ]
    exit $?
}
