#!/usr/bin/env bash
# kzv play: exit codes and messages.
. "$(dirname "$0")/common.sh"
f=$(fixture h264.mp4)
expect_rc 2 "play without FILE" play --headless
expect_rc 2 "play --uploader bogus" play "$f" --headless --uploader bogus
expect_rc 2 "play --gl-path bogus" play "$f" --headless --gl-path bogus
expect_rc 2 "play --queue 0" play "$f" --headless --queue 0
expect_rc 2 "play --policy bogus" play "$f" --headless --policy bogus
expect_rc 2 "play --start-paused --headless (needs a window)" play "$f" --headless --start-paused
expect_rc 2 "play --start-paused --fast (needs the clock)" play "$f" --fast --start-paused
expect_rc 2 "play --speed 0" play "$f" --headless --speed 0
expect_rc 2 "play --uploader memory without --headless" play "$f" --uploader memory
expect_rc 3 "play a missing file" play "$TMP/nope.mp4" --headless --fast
expect_rc 3 "play garbage" play "$(fixture garbage.mp4)" --headless --fast
check "garbage: the reason is on stderr" grep -q "kzv play" "$TMP/err"
expect_rc 0 "play --help" play --help
check "--help lists --headless" grep -q -- "--headless" "$TMP/out"
# a stream that fails mid-way (strict decoding is not an option of play, so
# the truncated file just ends early): still exit 0 with sane accounting
expect_rc 0 "play truncated.mp4" play "$(fixture truncated.mp4)" --headless --fast --uploader memory --verify
accounting "truncated"
finish
