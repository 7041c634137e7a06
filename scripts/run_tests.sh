#!/usr/bin/env bash
# Run every test: fixtures, then the release build's suite, valgrind, each
# sanitizer build's suite, the fuzz smoke runs. Ends with what could not run
# on this machine, one line each with its reason (a meson test that exited 77,
# a "not tested: …" line of a test that ran, valgrind when it cannot run on
# this CPU), the seconds per stage, and the closing line
# "N passed, N failed, N skipped" (skipped: whole tests that could not run).
# Usage: scripts/run_tests.sh BUILD_DIR FIXTURES_DIR [asan] [tsan]
set -uo pipefail
# Nothing here reads standard input (Meson's compiler probe runs
# `cc -E -v -`, which preprocesses whatever stdin holds: once a PNG, when an
# image writer had renamed its file over /dev/null, fixed since).
exec </dev/null
build=$1; fixtures=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

export KZV_FIXTURES=$fixtures
tests/media/make_fixtures.sh "$fixtures" || { echo "fixture generation failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
tests/media/make_seek_fixtures.sh "$fixtures" || { echo "seek fixture generation failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

py=$(command -v /usr/bin/python3 || command -v python3)
passed=0; failed=0; skipped=0; times=()
notrun=$(mktemp); trap 'rm -f "$notrun"' EXIT
t_stage=$(date +%s)
stage_done() { times+=("$1 $(( $(date +%s) - t_stage )) s"); t_stage=$(date +%s); }
run_suite() {  # dir label [meson setup args…]
  local dir=$1 label=$2; shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >/dev/null || { echo "[$label] meson setup failed"; failed=$((failed+1)); return; }
    "$(dirname "$0")/reconfigure.sh" --record "$dir"
  fi
  "$(dirname "$0")/reconfigure.sh" "$dir" || { echo "[$label] meson reconfigure failed"; failed=$((failed+1)); return; }
  if ! ninja -C "$dir" >"$dir.ninja.log" 2>&1; then
    cat "$dir.ninja.log"; echo "[$label] build failed"; failed=$((failed+1)); return
  fi
  echo "== $label tests =="
  meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier "$timeout_mult" \
    $KZV_MESON_TEST_ARGS | grep -Ev '^(ninja: |Full log)' 
  local p f s
  { read -r p f s && cat >>"$notrun"; } < <("$py" scripts/test_results.py "$dir/meson-logs/testlog.json" "$label")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1})); skipped=$((skipped + ${s:-0}))
}

KZV_MESON_TEST_ARGS=${KZV_MESON_TEST_ARGS:-}
# Meson's per-test timeouts only catch hangs, and a shared or slow machine
# must not turn them into failures: measured at load average 13 on 2 cores,
# release play-verify took 210 s of its 300 s and TSan's seek-tricky and
# gl-yuv passed 300 s. So release runs them x2, the sanitizer builds x4.
timeout_mult=${KZV_TIMEOUT_MULTIPLIER:-2}
run_suite "$build" release --buildtype=release
stage_done release
# valgrind memcheck over the integration tests of the release build (one
# test; skipped, with its reason, when valgrind cannot run FFmpeg on this CPU)
echo "== valgrind =="
tests/valgrind/run.sh "$build" | tee "$build.valgrind.log"
case ${PIPESTATUS[0]} in
  0) passed=$((passed+1)) ;;
  77) skipped=$((skipped+1)); grep -m1 '^valgrind: not runnable' "$build.valgrind.log" | sed 's/^/[valgrind] /' >>"$notrun" ;;
  *) failed=$((failed+1)) ;;
esac
grep '^not tested: ' "$build.valgrind.log" | sed 's/^/[valgrind] /' >>"$notrun"
stage_done valgrind
timeout_mult=${KZV_SANITIZER_TIMEOUT_MULTIPLIER:-4}
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
  stage_done "$san"
done
# The configurations without the optional parts (EGL/GLES, SDL2, FreeType)
# still build under -Werror, and their kzv still runs: code under #ifdef for
# a missing dependency is compiled nowhere else (a missing-FreeType build
# once failed on an unused parameter). Library + CLI + examples, no tests.
minimal_builds() {
  local sheet; sheet=$(mktemp --suffix=.png)
  local cfg
  for cfg in "no-gl:-Dgl=disabled" "gl-no-window:-Dgl=enabled -Dwindow=disabled"; do
    local name=${cfg%%:*} dir=build-minimal-${cfg%%:*}
    # shellcheck disable=SC2086  # the options are words
    if { [ -f "$dir/build.ninja" ] || meson setup "$dir" --buildtype=release -Dfonts=disabled -Dpython=disabled \
           -Dtests=false ${cfg#*:} >"$dir.setup.log" 2>&1 && scripts/reconfigure.sh --record "$dir"; } &&
       scripts/reconfigure.sh "$dir" && ninja -C "$dir" >"$dir.ninja.log" 2>&1 &&
       "$dir/tools/kzv" sheet samples/kizuna-sample.mp4 -o "$sheet" --cols 2 --rows 1 >"$dir.run.log" 2>&1 &&
       [ -s "$sheet" ]; then
      echo "minimal build $name OK (kzv sheet with the built-in font)"
      passed=$((passed+1))
    else
      tail -30 "$dir.setup.log" "$dir.ninja.log" "$dir.run.log" 2>/dev/null
      echo "minimal build $name FAILED"; failed=$((failed+1))
    fi
    rm -f "$sheet"
  done
}
echo "== minimal builds =="
minimal_builds
stage_done minimal

# libFuzzer smoke runs: KZV_FUZZ_SECONDS (default 200) of fuzzing for the whole stage,
# shared equally among the targets (at least 5 s each), however many there
# are (plus about 2 s of start-up each and the build: about 4 minutes
# in all). Each starts from its committed seeds (tests/fuzz/corpus/TARGET; the
# probing target fuzz_decode from the fixtures) and its regression inputs,
# with its dictionary (tests/fuzz/dict/TARGET.dict) when it has one; one
# test each. A crash leaves its input under build-fuzz/artifacts/: add it to
# tests/fuzz/regressions/TARGET/ with the fix.
fuzz_smoke() {
  local out=build-fuzz total=${KZV_FUZZ_SECONDS:-200}
  if ! tests/fuzz/build.sh "$out" >"$out.log" 2>&1; then
    cat "$out.log"; echo "[fuzz] build failed"; failed=$((failed+1)); return
  fi
  local targets=("$out"/fuzz_*)
  local secs=$(( total / ${#targets[@]} ))
  [ "$secs" -ge 5 ] || secs=5
  echo "== fuzz smoke (${#targets[@]} targets, ${secs} s each) =="
  for t in "${targets[@]}"; do
    local name; name=$(basename "$t"); local short=${name#fuzz_}
    local seeds=() opts=()
    if [ "$short" = decode ]; then seeds=("$fixtures"); else opts=(-max_len=65536); fi
    for d in tests/fuzz/corpus/"$short" tests/fuzz/regressions/"$short"; do
      [ -d "$d" ] && seeds+=("$d")
    done
    [ -f tests/fuzz/dict/"$short".dict ] && opts+=(-dict=tests/fuzz/dict/"$short".dict)
    mkdir -p "$out/corpus-$name" "$out/artifacts"
    if "$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2560 -print_final_stats=1 "${opts[@]}" \
          -artifact_prefix="$out/artifacts/$name-" "$out/corpus-$name" "${seeds[@]}" >"$out/$name.log" 2>&1; then
      echo "fuzz $name OK: $(grep -E '^#[0-9]+.*DONE' "$out/$name.log" | tail -1)" \
           "($(grep -oE 'average_exec_per_sec: *[0-9]+' "$out/$name.log" | grep -oE '[0-9]+$') exec/s)"
      passed=$((passed+1))
    else
      tail -40 "$out/$name.log"; echo "fuzz $name FAILED (input saved under $out/artifacts/)"
      failed=$((failed+1))
    fi
  done
}
if [ "${KZV_FUZZ_SECONDS:-200}" != 0 ]; then fuzz_smoke; stage_done fuzz; fi

if [ -s "$notrun" ]; then
  echo "== not run on this machine ($(wc -l <"$notrun")) =="
  sed 's/^/  /' "$notrun"
fi
echo "stage times: $(IFS=,; echo "${times[*]}" | sed 's/,/, /g')"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
