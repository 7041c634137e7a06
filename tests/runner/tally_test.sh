#!/usr/bin/env bash
# scripts/test_results.py on the testlog.json of a real `meson test` run:
# a throw-away project with one test of each kind; the tally and the
# not-run lines must be exactly these.
# Usage: tally_test.sh MESON TEST_RESULTS_PY
set -uo pipefail
meson=$1 tally=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
cat >"$tmp/src/meson.build" <<'M'
project('tally', [])
sh = find_program('sh')
test('pass', sh, args : ['-c', 'echo fine'])
test('fail', sh, args : ['-c', 'echo broken; exit 1'])
test('xfail', sh, args : ['-c', 'exit 1'], should_fail : true)
test('skip-reason', sh, args : ['-c', 'echo probing; echo "skipped: no frobnicator on this machine"; exit 77'])
test('skip-bare', sh, args : ['-c', 'exit 77'])
test('part', sh, args : ['-c', 'echo "not tested: AVX2 kernels (this CPU has no AVX2)"; echo "    not tested: an indented line from a child is not one"'])
M
"$meson" setup "$tmp/b" "$tmp/src" >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; echo "FAIL meson setup"; exit 1; }
"$meson" test -C "$tmp/b" >"$tmp/test.log" 2>&1   # exits 1: one test fails on purpose
grep -E '^ *[0-9]+/[0-9]+ ' "$tmp/test.log"
"$tally" "$tmp/b/meson-logs/testlog.json" L >"$tmp/got" || { echo "FAIL test_results.py exited $?"; exit 1; }
{ head -1 "$tmp/got"; tail -n +2 "$tmp/got" | sort; } >"$tmp/got.sorted"
cat >"$tmp/want" <<'W'
3 1 2
[L] part: not tested: AVX2 kernels (this CPU has no AVX2)
[L] skip-bare: skipped: (the test gave no reason)
[L] skip-reason: skipped: no frobnicator on this machine
W
if diff -u "$tmp/want" "$tmp/got.sorted"; then
    echo "ok   3 passed (OK, EXPECTEDFAIL), 1 failed, 2 skipped (exit 77), each not-run item with its reason"
else
    echo "FAIL the tally differs (diff above: - wanted, + got)"; exit 1
fi
