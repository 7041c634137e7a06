#!/usr/bin/env bash
# bench: per-stage figures for one file (values are timings: only their
# presence and consistency are checked, never their size).
. "$(dirname "$0")/lib.sh"

f=$(fixture h264.mp4)
expect_rc 0 "bench h264.mp4" bench "$f" --threads 1
for stage in index decode full demux codec convert hand-over; do
    check "bench prints the $stage stage" grep -Eq "^ +$stage +[0-9.]+ s" "$TMP/out"
done
check "bench counts the 50 frames" grep -q "50 frames" "$TMP/out"
expect_rc 0 "bench --frames 10 --format rgba" bench "$f" --frames 10 --format rgba
check "bench --frames 10: 10 frames in the full pass" grep -Eq "to rgba" "$TMP/out"
expect_rc 2 "bench --format bogus" bench "$f" --format bogus
expect_rc 3 "bench on garbage" bench "$(fixture garbage.mp4)"
finish
