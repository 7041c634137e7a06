#!/usr/bin/env bash
# kzv built without SDL2: `kzv play` without --headless refuses cleanly.
. "$(dirname "$0")/common.sh"
expect_rc 3 "play without a window" play "$(fixture h264.mp4)"
check "the message says to use --headless" grep -q -- "--headless" "$TMP/err"
expect_rc 0 "--headless still works" play "$(fixture h264.mp4)" --headless --fast --uploader memory
finish
