#!/usr/bin/env bash
# Run every test: fixtures, then the release build's suite, then each
# sanitizer build's suite. Prints one closing line "N passed, N failed".
# Usage: scripts/run_tests.sh BUILD_DIR FIXTURES_DIR [asan] [tsan]
set -uo pipefail
build=$1; fixtures=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

export KZV_FIXTURES=$fixtures
tests/media/make_fixtures.sh "$fixtures" || { echo "fixture generation failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0; failed=0
run_suite() {  # dir label [meson setup args…]
  local dir=$1 label=$2; shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >/dev/null || { echo "[$label] meson setup failed"; failed=$((failed+1)); return; }
  fi
  if ! ninja -C "$dir" >"$dir.ninja.log" 2>&1; then
    cat "$dir.ninja.log"; echo "[$label] build failed"; failed=$((failed+1)); return
  fi
  echo "== $label tests =="
  meson test -C "$dir" --print-errorlogs --num-processes 2 $KZV_MESON_TEST_ARGS | grep -Ev '^(ninja: |Full log)' 
  local counts
  counts=$(python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r in ("FAIL", "TIMEOUT", "UNEXPECTEDPASS", "ERROR"): f += 1
print(p, f)
PY
)
  passed=$((passed + ${counts% *})); failed=$((failed + ${counts#* }))
}

KZV_MESON_TEST_ARGS=${KZV_MESON_TEST_ARGS:-}
run_suite "$build" release --buildtype=release
for san in "$@"; do
  case "$san" in
    asan) UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1" \
          KZV_SANITIZER=asan run_suite build-asan "asan+ubsan" --buildtype=debugoptimized \
            -Db_sanitize=address,undefined -Db_lundef=false ;;
    tsan) TSAN_OPTIONS="suppressions=$root/tests/tsan.supp halt_on_error=0 second_deadlock_stack=1" \
          KZV_SANITIZER=tsan run_suite build-tsan tsan --buildtype=debugoptimized \
            -Db_sanitize=thread -Db_lundef=false ;;
    *) echo "unknown sanitizer $san"; failed=$((failed+1)) ;;
  esac
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
