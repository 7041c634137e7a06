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
tests/media/make_seek_fixtures.sh "$fixtures" || { echo "seek fixture generation failed"; echo "0 passed, 1 failed"; exit 1; }

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
# valgrind memcheck over the integration tests of the release build (one test)
echo "== valgrind =="
if tests/valgrind/run.sh "$build"; then passed=$((passed+1)); else failed=$((failed+1)); fi
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
# libFuzzer smoke runs: each target for KZV_FUZZ_SECONDS (default 60),
# seeded with the fixtures and every regression input; one test each.
fuzz_smoke() {
  local out=build-fuzz secs=${KZV_FUZZ_SECONDS:-60}
  echo "== fuzz smoke (${secs} s per target) =="
  if ! tests/fuzz/build.sh "$out" >"$out.log" 2>&1; then
    cat "$out.log"; echo "[fuzz] build failed"; failed=$((failed+1)); return
  fi
  for t in "$out"/fuzz_*; do
    local name; name=$(basename "$t")
    mkdir -p "$out/corpus-$name" "$out/artifacts"
    if "$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2560 -print_final_stats=1 \
          -artifact_prefix="$out/artifacts/$name-" "$out/corpus-$name" "$fixtures" \
          tests/fuzz/regressions >"$out/$name.log" 2>&1; then
      echo "fuzz $name OK: $(grep -E '^#[0-9]+.*DONE' "$out/$name.log" | tail -1)"
      passed=$((passed+1))
    else
      tail -40 "$out/$name.log"; echo "fuzz $name FAILED (input saved under $out/artifacts/)"
      failed=$((failed+1))
    fi
  done
}
[ "${KZV_FUZZ_SECONDS:-60}" != 0 ] && fuzz_smoke

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
